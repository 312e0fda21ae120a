import type { Command } from 'commander';
import type { CommandContext } from '../command-context.js';
import { CliError, EXIT } from '../exit-codes.js';
import { line, printJson, printTable } from '../output.js';
import {
  type ApiCollection,
  COLLECTION_TREE_COLUMNS,
  collectionTreeRows,
  nonEmpty,
} from './collection-tree.js';
import { registerRmCommand } from './json-records.js';

const collectionPath = (reference: string) => `/collections/${encodeURIComponent(reference)}`;

/** What `move` takes for "in no collection". */
const NO_COLLECTION = 'none';

/**
 * `pk prompts collections [add|rename|rm]` (Portkey's `/v1/collections`: named folders of prompts,
 * which may sit in another collection) and `pk prompts move <slug> <collection|none>` (a prompt's
 * `collection_id`). A collection is named by its id or its slug everywhere.
 */
export function registerCollections(prompts: Command, context: CommandContext): void {
  const collections = prompts
    .command('collections')
    .description(
      'list the prompt collections as a tree: name (indented under its parent), slug, prompts and collections in it',
    )
    .option('--search <text>', 'only the collections whose name contains the text (any case)')
    // --search is the list's: with a subcommand (`collections add X --search y`) a usage error.
    .hook('preSubcommand', (command) => {
      if (command.opts<{ search?: string }>().search !== undefined)
        throw new CliError('--search lists collections: it goes with no subcommand', EXIT.usage);
    })
    .action(async (options: { search?: string }) => {
      const output = context.output();
      const search = options.search === undefined ? undefined : nonEmpty(options.search, '--search');
      const query = search === undefined ? '' : `?search=${encodeURIComponent(search)}`;
      const list = await context.admin().call<{ data: ApiCollection[] }>('GET', `/collections${query}`);
      if (output.json) {
        printJson(output, list.data);
        return;
      }
      printTable(output, COLLECTION_TREE_COLUMNS, collectionTreeRows(list.data));
    });

  collections
    .command('add')
    .description('make a collection, at the top or in another one (--parent); prints its slug and id')
    .argument('<name>', 'its name (1 to 200 characters; the slug is made from it)')
    .option('--parent <collection>', 'the collection it goes in: its id or slug')
    .action(async (name: string, options: { parent?: string }) => {
      const output = context.output();
      nonEmpty(name, 'name');
      const parent = options.parent === undefined ? undefined : nonEmpty(options.parent, '--parent');
      const created = await context.admin().call<{ id: string; slug: string }>('POST', '/collections', {
        name,
        ...(parent === undefined ? {} : { parent_collection_id: parent }),
      });
      if (output.json) printJson(output, { id: created.id, slug: created.slug, name });
      else line(output, `created collection ${created.slug} (id ${created.id})`);
    });

  collections
    .command('rename')
    .description('rename a collection (its slug and id stay, so prompts and scripts keep naming it)')
    .argument('<collection>', 'the collection: its id or slug')
    .argument('<name>', 'the new name')
    .action(async (reference: string, name: string) => {
      const output = context.output();
      nonEmpty(name, 'name');
      await context.admin().call('PUT', collectionPath(reference), { name });
      if (output.json) printJson(output, { collection: reference, name });
      else line(output, `renamed collection ${reference} to ${name}`);
    });

  registerRmCommand(collections, context, {
    noun: 'collection',
    argument: 'collection',
    argumentDescription: 'the collection: its id or slug',
    description:
      'delete an empty collection (one that holds prompts or collections is refused, exit 5, saying how many)',
    path: collectionPath,
  });

  prompts
    .command('move')
    .description(`put a prompt in a collection, or in none ("${NO_COLLECTION}")`)
    .argument('<slug>', 'the prompt')
    .argument('<collection>', `the collection: its id or slug, or ${NO_COLLECTION}`)
    .action(async (slug: string, reference: string) => {
      const output = context.output();
      nonEmpty(reference, 'collection');
      const admin = context.admin();
      // The gateway keeps a collection_id that names no collection as given (as before collections
      // existed): the CLI refuses one it cannot find (exit 4) rather than file the prompt nowhere.
      const collection =
        reference === NO_COLLECTION
          ? null
          : await admin.call<ApiCollection>('GET', collectionPath(reference));
      await admin.call('PUT', `/prompts/${encodeURIComponent(slug)}`, {
        collection_id: collection?.id ?? null,
      });
      if (output.json)
        printJson(output, {
          slug,
          collection: collection && { id: collection.id, slug: collection.slug, name: collection.name },
        });
      else
        line(
          output,
          collection
            ? `${slug}: in collection ${collection.slug} (${collection.name})`
            : `${slug}: in no collection`,
        );
    });
}
