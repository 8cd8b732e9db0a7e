import type { Rule } from '../findings.js';

// Every diagnosis, one file each (DESIGN §4). Add one import and one entry per rule.
export const rules: Rule[] = [];
