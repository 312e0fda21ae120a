/** The metrics address a gateway started with `PK_METRICS_PORT` announced in its output; throws with the output when none. */
export function announcedMetricsUrl(output: string): string {
  const announced = /pk metrics on (http:\/\/127\.0\.0\.1:\d+\/metrics)/.exec(output);
  if (!announced?.[1]) throw new Error(`no metrics port announced:\n${output}`);
  return announced[1];
}
