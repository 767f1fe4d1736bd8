/** Loads one contender's implementation (in its worker process only). */
import type { Contender, ContenderKey } from './contender';

export function createContender(key: ContenderKey): Contender {
  switch (key) {
    case 'library':
      return new (require('./library') as typeof import('./library')).LibraryContender();
    case 'hand-sql':
      return new (require('./hand-sql') as typeof import('./hand-sql')).HandSqlContender();
    case 'no-seq':
      return new (require('./no-sequencer') as typeof import('./no-sequencer')).NoSequencerContender();
    case 'emmett':
      return new (require('./emmett') as typeof import('./emmett')).EmmettContender();
  }
}
