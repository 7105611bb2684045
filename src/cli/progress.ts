import cliProgress from 'cli-progress';

/**
 * Progress for long jobs: a live bar on a terminal; in a log file (nohup, CI) one line every
 * `logEverySeconds`, so background runs still show progress and ETA without flooding.
 */
export class ProgressReporter {
  private readonly bar: cliProgress.SingleBar | null;
  private lastLine = 0;
  private readonly started = performance.now();

  constructor(
    private readonly label: string,
    private readonly total: number,
    private readonly fields: string[] = [],
    private readonly logEverySeconds = 30,
    start = 0,
  ) {
    const payload = fields.map((f) => ` | ${f} {${f}}`).join('');
    this.bar = process.stdout.isTTY
      ? new cliProgress.SingleBar(
          { format: `${label} [{bar}] {value}/{total}${payload} | ETA {eta_formatted}`, etaBuffer: 50, hideCursor: true },
          cliProgress.Presets.shades_classic,
        )
      : null;
    this.bar?.start(total, start, Object.fromEntries(fields.map((f) => [f, '-'])));
  }

  /** etaSeconds: pass the caller's own estimate when it knows better than the bar's average. */
  update(value: number, payload: Record<string, string> = {}, etaSeconds?: number): void {
    if (this.bar) {
      this.bar.update(value, payload);
      return;
    }
    const now = performance.now();
    if (now - this.lastLine < this.logEverySeconds * 1000 && value < this.total) return;
    this.lastLine = now;
    const eta = etaSeconds ?? ((now - this.started) / 1000 / Math.max(1, value)) * (this.total - value);
    const extra = this.fields.map((f) => ` ${f} ${payload[f] ?? '-'}`).join('');
    console.log(`${this.label} ${value}/${this.total}${extra} ETA ${formatDuration(eta)}`);
  }

  stop(): void {
    this.bar?.stop();
  }
}

export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds)) return '-';
  const s = Math.max(0, Math.round(seconds));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  return h > 0 ? `${h}h${String(m).padStart(2, '0')}m` : `${m}m${String(s % 60).padStart(2, '0')}s`;
}
