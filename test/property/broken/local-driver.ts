import type { Reply } from '../../../lib/activator.ts';
import { centralSite } from '../../../lib/central-site.ts';
import { deepFreeze } from '../../../lib/freeze.ts';
import type { Central } from '../../../lib/primitive.ts';
import { Unit, type UnitEnv, type UnitSpec } from '../../../lib/unit.ts';
import type { GroupDriver, MemberArrival } from '../../../runners/shared/group-driver.ts';
import { runGroup } from '../../../runners/shared/run-group.ts';

/**
 * A this-thread group driver for building deliberately broken runners out of lib pieces (`Unit`,
 * `runGroup`, a `Store`): it mirrors runners/shared/local-group.ts, but every group it makes, nested
 * ones included, goes through `wrap`, where a test injects a bug.
 */
export interface TestEnv extends UnitEnv {
  readonly concurrent: boolean;
  readonly wrap: (driver: GroupDriver) => GroupDriver;
}

export function runTestGroup(env: TestEnv, specs: readonly UnitSpec[], group: string, signal: AbortSignal): Promise<unknown[]> {
  const driver = env.wrap(new TestGroupDriver(env, specs, signal));
  return runGroup(driver, { group, concurrent: env.concurrent, signal, emit: env.emit, stats: env.stats });
}

class TestGroupDriver implements GroupDriver {
  readonly paths: readonly string[];
  readonly #env: TestEnv;
  readonly #specs: readonly UnitSpec[];
  readonly #units: (Unit | undefined)[];
  readonly #signal: AbortSignal;
  #central: Central | undefined;

  constructor(env: TestEnv, specs: readonly UnitSpec[], signal: AbortSignal) {
    this.#env = env;
    this.#specs = specs;
    this.#signal = signal;
    this.paths = specs.map((s) => s.path);
    this.#units = specs.map(() => undefined);
  }

  async toCollective(i: number, reply: Reply): Promise<MemberArrival> {
    const unit = (this.#units[i] ??= new Unit(this.#specs[i] as UnitSpec, this.#env));
    let next = reply;
    for (;;) {
      const pause = await unit.advance(next);
      if (this.#units[i] !== unit) return { kind: 'cancelled' };
      if (pause.kind === 'returned' || pause.kind === 'failed') {
        this.#units[i] = undefined;
        return pause;
      }
      if (pause.kind === 'gather') {
        const { value, central, perMember } = pause.op;
        if (i === 0) this.#central = central;
        return { kind: 'gather', value: deepFreeze(value), centralSite: centralSite(central), perMember, site: pause.site };
      }
      next = await runTestGroup(this.#env, pause.children, pause.group, this.#signal).then(
        (outputs): Reply => ({ ok: true, value: deepFreeze(outputs) }),
        (error: unknown): Reply => ({ ok: false, error }),
      );
    }
  }

  async central(values: unknown[]): Promise<Reply> {
    try {
      return { ok: true, value: deepFreeze(await (this.#central as Central)(deepFreeze(values))) };
    } catch (error) {
      return { ok: false, error };
    }
  }

  async cancel(i: number): Promise<void> {
    const unit = this.#units[i];
    this.#units[i] = undefined;
    await unit?.cancel();
  }
}
