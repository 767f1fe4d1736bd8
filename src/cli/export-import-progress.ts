/** The progress of an export or import: cli-progress on a terminal, plain lines every few seconds otherwise. */
import { Presets, SingleBar } from 'cli-progress';
import type { CliIo } from './cli-io';

export class CountProgress {
  private bar?: SingleBar;
  private stopped = false;

  constructor(private readonly io: CliIo, private readonly label: string, private readonly unit: string) {}

  update(done: number, total: number): void {
    if (this.stopped) return;
    if (!this.bar) {
      const terminal = this.io.progressTerminal;
      this.bar = new SingleBar({
        stream: terminal ?? { isTTY: false, write: (text: string) => this.io.stderr(text) } as unknown as NodeJS.WriteStream,
        clearOnComplete: !terminal,
        format: `${this.label} [{bar}] {percentage}% | {value}/{total} ${this.unit}`,
        noTTYOutput: true,
        notTTYSchedule: 2000,
        hideCursor: true,
        gracefulExit: true,
      }, Presets.shades_classic);
      this.bar.start(total, done);
      return;
    }
    this.bar.setTotal(total);
    this.bar.update(done);
  }

  stop(): void {
    if (this.stopped) return;
    this.stopped = true;
    this.bar?.stop();
  }
}
