/** One tool call's piece of a chat chunk (`choices[0].delta.tool_calls[n]`). */
export interface ToolCallPiece {
  readonly index: number;
  readonly id?: string | undefined;
  readonly function?:
    | { readonly name?: string | undefined; readonly arguments?: string | undefined }
    | undefined;
}

/** What a dialect's stream does with each call: open its item or block, add arguments, close it. */
export interface ToolCallOutlet<Handle> {
  open(call: { readonly id: string; readonly name: string }): Handle;
  args(handle: Handle, fragment: string): void;
  close(handle: Handle): void;
}

interface Pending {
  readonly id: string;
  readonly name: string;
  args: string;
}

function isCompleteJson(text: string): boolean {
  if (text === '') return false;
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
}

/**
 * Puts a chat stream's tool calls in the order the Responses and Messages streams need: one item or
 * block at a time, each opened, given all its arguments, then closed. OpenAI streams calls one after
 * the other, and those stream through live. Some upstreams announce several calls before any
 * arguments, then send the arguments interleaved (by `index`); a call announced while the live one's
 * arguments are not yet complete JSON is held, with its arguments, and streamed in full once the
 * live one closes (at {@link finish}), so no argument is lost and no block gets a delta after its end.
 */
export class ToolCallSequencer<Handle> {
  readonly #outlet: ToolCallOutlet<Handle>;
  readonly #newId: () => string;
  #live: { readonly index: number; readonly handle: Handle; args: string } | undefined;
  readonly #held = new Map<number, Pending>();
  /** Calls already closed: a late fragment for one has nowhere to go. */
  readonly #closed = new Set<number>();

  constructor(outlet: ToolCallOutlet<Handle>, newId: () => string) {
    this.#outlet = outlet;
    this.#newId = newId;
  }

  /** True while a call is open or held (text that follows must wait for {@link finish}). */
  get active(): boolean {
    return this.#live !== undefined || this.#held.size > 0;
  }

  push(piece: ToolCallPiece): void {
    const fragment = piece.function?.arguments ?? '';
    const live = this.#live;
    if (live?.index === piece.index) {
      this.#append(live, fragment);
      return;
    }
    const held = this.#held.get(piece.index);
    if (held !== undefined) {
      held.args += fragment;
      return;
    }
    if (this.#closed.has(piece.index)) return;
    const call = { id: piece.id ?? this.#newId(), name: piece.function?.name ?? '' };
    if (live !== undefined && (this.#held.size > 0 || !isCompleteJson(live.args))) {
      this.#held.set(piece.index, { ...call, args: fragment });
      return;
    }
    if (live !== undefined) this.#closeLive();
    const opened = { index: piece.index, handle: this.#outlet.open(call), args: '' };
    this.#live = opened;
    this.#append(opened, fragment);
  }

  /** Closes the live call and streams every held one in full, in the order they were announced. */
  finish(): void {
    if (this.#live !== undefined) this.#closeLive();
    for (const [index, call] of this.#held) {
      const handle = this.#outlet.open({ id: call.id, name: call.name });
      if (call.args !== '') this.#outlet.args(handle, call.args);
      this.#outlet.close(handle);
      this.#closed.add(index);
    }
    this.#held.clear();
  }

  #append(live: { handle: Handle; args: string }, fragment: string): void {
    if (fragment === '') return;
    live.args += fragment;
    this.#outlet.args(live.handle, fragment);
  }

  #closeLive(): void {
    const live = this.#live;
    if (live === undefined) return;
    this.#outlet.close(live.handle);
    this.#closed.add(live.index);
    this.#live = undefined;
  }
}
