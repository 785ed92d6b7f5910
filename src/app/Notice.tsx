// The message for the user (a bad link, a bad file, what an export wrote), with a way to dismiss it.
import { useApp, useServices } from './context.tsx';

export function Notice() {
  const { store } = useServices();
  const notice = useApp((s) => s.notice);
  if (!notice) return null;
  return (
    <p className={notice.kind === 'error' ? 'notice alarm' : 'notice'} role="alert" data-testid="notice">
      {notice.text}
      <button type="button" aria-label="Dismiss" onClick={() => store.getState().setNotice(null)}>
        ×
      </button>
    </p>
  );
}
