import { Modal } from '../ui/Modal';

const SHORTCUTS: [string, string][] = [
  ['j / ↓', 'Next conversation'],
  ['k / ↑', 'Previous conversation'],
  ['/', 'Search conversations'],
  ['r', 'Reply (focus the message box)'],
  ['n', 'Switch the empty message box between reply and internal note'],
  ['c', 'Text a customer'],
  ['/ in a reply', 'Insert a canned reply (at the start, or after a space)'],
  ['@ in a note', 'Mention someone'],
  ['Enter', 'Send the message'],
  ['Shift + Enter', 'New line in the message'],
  ['Esc', 'Close a dialog'],
  ['?', 'This list'],
];

export function ShortcutsDialog({ onClose }: { onClose: () => void }) {
  return (
    <Modal title="Keyboard shortcuts" onClose={onClose}>
      <dl className="shortcuts">
        {SHORTCUTS.map(([keys, what]) => (
          <div key={keys}>
            <dt>
              <kbd>{keys}</kbd>
            </dt>
            <dd>{what}</dd>
          </div>
        ))}
      </dl>
    </Modal>
  );
}
