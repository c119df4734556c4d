/** Artifact files on disk (issue 3/5 item 3): the content-addressed store and the retention planner. */
export { ArtifactStore, type ArtifactRef, type StoredArtifact, type SweepOptions, type SweepResult } from './store.js';
export { planBudget, MB, type BudgetLimits, type BudgetPlan, type BudgetSong } from './budget.js';
