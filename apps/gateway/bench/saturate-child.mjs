// One saturation run in a process of its own (so two gateways can be loaded at the same time, each
// by its own load generator): the options of `saturateChat` as JSON in argv[2]; the result's
// totals are sent to the parent over IPC.
import { saturateChat } from './processes.mjs';

const result = await saturateChat(JSON.parse(process.argv[2]));
process.send?.({ total: result.requests.total, non2xx: result.non2xx, errors: result.errors }, () =>
  process.exit(0),
);
