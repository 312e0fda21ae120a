import { text } from '../log-record.js';

/**
 * A value someone else chose (metadata, a model or provider name, an id, an error code): isolated
 * from the text around it (`<bdi>`: right-to-left text cannot move its neighbours) and its
 * bidirectional controls shown as `\u202E` rather than applied (`text`), so it cannot pass for
 * another value.
 */
export function UserText(props: { value: unknown }) {
  return <bdi>{text(props.value)}</bdi>;
}
