/** The Studio API: the one entry point of the front ends (docs/studio-contract.md). */
export { Studio, type Actor, type FileKind, type Origin, type SongTreeView, type SongView } from './studio.js';
export type { ComposeParams, EditParams, ExtendParams, Operation, RemixParams, RepaintParams, RetakeParams } from './operations.js';
export type { JobInfo, JobRunner, JobState, JobEvent } from '../jobs/types.js';
export type { UserSettings } from '../store/index.js';
export type { ProgressEvent } from '../events.js';
