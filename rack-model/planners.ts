// The planners by name, as `climatik plan --planner` and the extender's config refer to them.
import { greedyPlanner } from './greedy-planner.js';
import { lpPlanner } from './lp-planner.js';
import type { Planner } from './types.js';

export type PlannerName = 'lp' | 'greedy';

export const planners: Readonly<Record<PlannerName, Planner>> = Object.freeze({ lp: lpPlanner, greedy: greedyPlanner });
