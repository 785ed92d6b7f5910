// The answer to what was typed into a form field, right under it: why it was refused (the field keeps
// what was typed and nothing changes) or, when it was taken, what the machine made of it ("rounded down
// to 62,284 pages"). The input points at it with aria-describedby.
export interface FieldAnswer {
  kind: 'error' | 'note';
  text: string;
}

export function FieldMessage({ id, answer }: { id: string; answer: FieldAnswer | null }) {
  if (!answer) return null;
  return (
    <p
      id={id}
      className={answer.kind === 'error' ? 'field-msg alarm' : 'field-msg'}
      role={answer.kind === 'error' ? 'alert' : 'status'}
      data-testid={id}
    >
      {answer.text}
    </p>
  );
}

/** The input's ARIA attributes for its answer. */
export function describedBy(id: string, answer: FieldAnswer | null) {
  return {
    'aria-invalid': answer?.kind === 'error' ? true : undefined,
    'aria-describedby': answer ? id : undefined,
  } as const;
}
