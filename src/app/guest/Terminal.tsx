// The guest's serial console (ttyS0) in a terminal (xterm.js): what the guest prints, and what the
// student types, sent to the guest as it is typed.
import '@xterm/xterm/css/xterm.css';
import { Terminal } from '@xterm/xterm';
import { useEffect, useRef } from 'react';
import type { GuestConnection } from './guest-store.ts';

export function GuestTerminal({ conn, dark }: { conn: GuestConnection; dark: boolean }) {
  const host = useRef<HTMLDivElement>(null);
  const term = useRef<Terminal | null>(null);
  useEffect(() => {
    const el = host.current;
    if (!el) return;
    const t = new Terminal({
      cols: 80,
      rows: 14,
      fontFamily: '"JetBrains Mono", monospace',
      fontSize: 12,
      scrollback: 5000,
      screenReaderMode: true,
      cursorBlink: false,
    });
    t.open(el);
    t.onData((text) => conn.send({ t: 'input', text }));
    conn.onSerial((text) => t.write(text));
    term.current = t;
    return () => {
      t.dispose();
      term.current = null;
    };
  }, [conn]);
  useEffect(() => {
    const t = term.current;
    if (!t) return;
    t.options.theme = dark
      ? { background: '#0d1117', foreground: '#e6edf3', cursor: '#56b4e9' }
      : { background: '#ffffff', foreground: '#1b1f24', cursor: '#0072b2', selectionBackground: '#b6d7f0' };
  }, [dark]);
  return <div className="guest-terminal" ref={host} data-testid="guest.terminal" />;
}
