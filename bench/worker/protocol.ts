/** The messages between the parent (bench/main.ts) and a contender's worker process. */
import type { ContenderKey } from '../contenders/contender';
import type { Profile } from '../profile';
import type { Sample } from '../workloads/workload';

export type Request =
  | { type: 'open'; contender: ContenderKey; url: string; postmasterPid: number | null; profile: Profile }
  | { type: 'check' }
  /** `url`: an empty database of the workload's own, on which the worker opens another contender for it. */
  | { type: 'prepare'; workload: string; url?: string }
  | { type: 'run'; workload: string; level: number }
  | { type: 'checkpoint' }
  | { type: 'close' };

export interface CheckResult {
  passed: boolean;
  steps: { name: string; passed: boolean; detail: string }[];
}

export type ResponseBody = void | CheckResult | Sample | Record<string, number>;

export type Envelope = { id: number; request: Request };
export type Reply = { id: number; ok: true; body: ResponseBody } | { id: number; ok: false; error: string };
