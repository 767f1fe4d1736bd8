/**
 * The event `store.forgetSubject(id)` appends when it destroys a subject's
 * keys, so that projections (which may hold personal data in their read
 * models) can clean up: `@Handles(SubjectForgotten)`.
 */
import { DomainEvent } from '../decorators';

/** The stream that holds the SubjectForgotten events. */
export const SUBJECT_FORGOTTEN_STREAM = 'personal-data-erasures';

@DomainEvent('$SubjectForgotten')
export class SubjectForgotten {
  /** The forgotten subject's id. */
  subjectId!: string;
}
