import t from 'tap';
import { COMMANDS, resolveCommand, usage } from './main.js';

t.test('two-word commands resolve before one-word ones', async (t) => {
  const names = Object.keys(COMMANDS);
  for (const name of names) {
    const words = name.split(' ');
    const found = resolveCommand([...words, '--flag', 'x']);
    t.equal(found?.name, name, `resolves ${name}`);
    t.same(found?.rest, ['--flag', 'x']);
  }
  t.equal(resolveCommand(['no-such-command']), undefined);
  t.equal(resolveCommand([]), undefined);
});

t.test('usage lists every command with its summary', async (t) => {
  const text = usage();
  for (const [name, entry] of Object.entries(COMMANDS)) {
    t.match(text, name);
    t.match(text, entry.summary);
  }
});
