import { type CompiledTable, compileTable } from './compiled-table.js';
import { PRICE_DATA_JSON } from './generated/price-data.js';
import type { PriceData } from './price-data-format.js';

/** The built-in tables, parsed from the generated JSON on first use and compiled table by table. */
export interface TableSet {
  readonly ids: ReadonlySet<string>;
  /** The compiled table, or undefined for an id the data does not have. */
  get(id: string): CompiledTable | undefined;
}

let builtIn: TableSet | undefined;

/** The built-in tables (parsed once per process, on the first call). */
export function builtInTables(): TableSet {
  builtIn ??= createTableSet(JSON.parse(PRICE_DATA_JSON) as PriceData);
  return builtIn;
}

/** A table set over parsed data; each table is compiled the first time it is asked for. */
export function createTableSet(data: PriceData): TableSet {
  const ids = new Set(Object.keys(data.tables));
  const compiled = new Map<string, CompiledTable>();
  return {
    ids,
    get(id) {
      let table = compiled.get(id);
      if (table === undefined) {
        if (!ids.has(id)) return undefined;
        table = compileTable(id, data.tables[id]!);
        compiled.set(id, table);
      }
      return table;
    },
  };
}
