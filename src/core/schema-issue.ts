/**
 * One line from a schema failure: where and what, e.g. `access_token: is over 16384 characters`.
 * zod's own message is the whole issue list as JSON, which is no message for a person; and the
 * value itself is never quoted, since what failed may be a secret.
 */
export function describeSchemaIssue(error: { issues: ReadonlyArray<{ path: ReadonlyArray<PropertyKey>; message: string }> }): string {
  const issue = error.issues[0];
  if (!issue) return 'does not match its schema';
  const where = issue.path.map(String).join('.');
  const more = error.issues.length > 1 ? ` (and ${error.issues.length - 1} more)` : '';
  return `${where === '' ? '(root)' : where}: ${issue.message}${more}`;
}
