/**
 * Counters and histograms for the request path, aggregated in plain maps and handed to prom-client
 * only at scrape time (as registered metrics with their own `get()`): prom-client's `inc`/`observe`
 * validate and hash the label object on every call, which cost ~7 % of a request's CPU in
 * `pnpm bench:observability`; here a request costs one string key and a map lookup per metric.
 * prom-client still formats and escapes the exposition.
 */

/** What prom-client's registry reads from a metric (`Registry.registerMetric`). */
export interface RegisteredMetric {
  readonly name: string;
  readonly help: string;
  readonly type: 'counter' | 'histogram';
  readonly aggregator: 'sum';
  get(): {
    name: string;
    help: string;
    type: 'counter' | 'histogram';
    aggregator: 'sum';
    values: { labels: Record<string, string | number>; value: number; metricName?: string }[];
  };
}

const SEPARATOR = '\u0001';

function labelsOf(names: readonly string[], values: readonly string[]): Record<string, string> {
  const labels: Record<string, string> = {};
  names.forEach((name, index) => {
    labels[name] = values[index] ?? '';
  });
  return labels;
}

/** A counter family: one series per distinct label values (bounded by the callers' label sets). */
export class CounterFamily implements RegisteredMetric {
  readonly type = 'counter' as const;
  readonly aggregator = 'sum' as const;
  private readonly series = new Map<string, { labels: Record<string, string>; value: number }>();

  constructor(
    readonly name: string,
    readonly help: string,
    private readonly labelNames: readonly string[],
  ) {}

  /** Adds `amount` (≥ 0) to the series of `values` (in `labelNames` order). */
  add(values: readonly string[], amount = 1): void {
    const key = values.length === 1 ? (values[0] as string) : values.join(SEPARATOR);
    const found = this.series.get(key);
    if (found) found.value += amount;
    else this.series.set(key, { labels: labelsOf(this.labelNames, values), value: amount });
  }

  get() {
    const values = [];
    for (const { labels, value } of this.series.values()) values.push({ labels, value });
    return { name: this.name, help: this.help, type: this.type, aggregator: this.aggregator, values };
  }
}

/** A histogram family with fixed buckets (upper bounds, ascending; `+Inf` is implied). */
export class HistogramFamily implements RegisteredMetric {
  readonly type = 'histogram' as const;
  readonly aggregator = 'sum' as const;
  private readonly series = new Map<
    string,
    { labels: Record<string, string>; counts: Float64Array; sum: number; count: number }
  >();

  constructor(
    readonly name: string,
    readonly help: string,
    private readonly labelNames: readonly string[],
    private readonly buckets: readonly number[],
  ) {}

  observe(values: readonly string[], value: number): void {
    const key = values.length === 1 ? (values[0] as string) : values.join(SEPARATOR);
    let found = this.series.get(key);
    if (!found) {
      found = {
        labels: labelsOf(this.labelNames, values),
        counts: new Float64Array(this.buckets.length),
        sum: 0,
        count: 0,
      };
      this.series.set(key, found);
    }
    const buckets = this.buckets;
    for (let index = 0; index < buckets.length; index += 1) {
      if (value <= (buckets[index] as number)) {
        (found.counts as Float64Array)[index] = ((found.counts as Float64Array)[index] as number) + 1;
        break;
      }
    }
    found.sum += value;
    found.count += 1;
  }

  get() {
    const values: { labels: Record<string, string | number>; value: number; metricName: string }[] = [];
    for (const { labels, counts, sum, count } of this.series.values()) {
      let cumulative = 0;
      this.buckets.forEach((bound, index) => {
        cumulative += counts[index] as number;
        values.push({
          labels: { le: bound, ...labels },
          value: cumulative,
          metricName: `${this.name}_bucket`,
        });
      });
      values.push({ labels: { le: '+Inf', ...labels }, value: count, metricName: `${this.name}_bucket` });
      values.push({ labels, value: sum, metricName: `${this.name}_sum` });
      values.push({ labels, value: count, metricName: `${this.name}_count` });
    }
    return { name: this.name, help: this.help, type: this.type, aggregator: this.aggregator, values };
  }
}
