import { bidiParts, rawText } from '../log-record.js';

/**
 * A value someone else chose (metadata, a model or provider name, an id, an error code): isolated
 * from the text around it (`<bdi>`: right-to-left text cannot move its neighbours), each of its
 * bidirectional controls shown as its escape (`\u202E`) rather than applied, in a mark of its own
 * (left to right, boxed, so it reads the same in right-to-left text and differs from those six
 * characters typed), so the value cannot pass for another. Its text is what `text` gives.
 */
export function UserText(props: { value: unknown }) {
  const raw = rawText(props.value);
  if (raw === null) return <bdi>—</bdi>;
  return (
    <bdi>
      {bidiParts(raw).map((part, index) =>
        part.control ? (
          <span
            class="bidi-mark"
            dir="ltr"
            key={index}
            title="A direction control, shown rather than applied"
          >
            {part.text}
          </span>
        ) : (
          part.text
        ),
      )}
    </bdi>
  );
}
