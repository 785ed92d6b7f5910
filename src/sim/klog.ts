// The guest's kernel log (dmesg): lines with their virtual time, as `[   12.345678] text`.
export interface KlogLine {
  readonly us: number;
  readonly text: string;
  /** 'info' | 'warn' | 'err', for colouring and markers in the UI. */
  readonly level: 'info' | 'warn' | 'err';
}

export class KernelLog {
  readonly lines: KlogLine[] = [];
  /** Told of every line as it is logged (the simulation copies warnings into the trace). */
  onLine: ((line: KlogLine) => void) | null = null;
  constructor(private readonly now: () => number) {}

  log(text: string, level: KlogLine['level'] = 'info'): void {
    const line = { us: this.now(), text, level };
    this.lines.push(line);
    this.onLine?.(line);
  }

  static format(line: KlogLine): string {
    const s = Math.floor(line.us / 1e6);
    const frac = String(line.us % 1e6).padStart(6, '0');
    return `[${String(s).padStart(5, ' ')}.${frac}] ${line.text}`;
  }
}
