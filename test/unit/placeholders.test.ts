import { describe, expect, it } from 'vitest';
import { fillPlaceholders, unknownPlaceholders } from '../../src/domain/placeholders.js';

const people = (customer: string | null, agent: string | null = 'Alan Turing') => ({ customer: { name: customer }, agent: { name: agent } });

describe('canned reply placeholders', () => {
  it('fills the customer and the agent, whole names and first names', () => {
    expect(fillPlaceholders('Hi {{customer.firstName}}, {{agent.firstName}} here. Bye {{customer.name}} from {{agent.name}}', people('Grace Brewster Hopper'))).toBe(
      'Hi Grace, Alan here. Bye Grace Brewster Hopper from Alan Turing',
    );
    expect(fillPlaceholders('Hi {{ customer.firstName }}', people('  José   Müller '))).toBe('Hi José');
    expect(fillPlaceholders('Dear {{customer.name}}', people('  José   Müller '))).toBe('Dear José Müller');
  });

  it('leaves no trace of an empty value: the spaces before it go too, never a doubled space', () => {
    expect(fillPlaceholders('Hi {{customer.firstName}}, thanks', people(null))).toBe('Hi, thanks');
    expect(fillPlaceholders('Hi {{customer.firstName}}!', people('   '))).toBe('Hi!');
    expect(fillPlaceholders('Hi {{customer.firstName}} {{customer.name}} there', people(null))).toBe('Hi there');
    expect(fillPlaceholders('Thanks {{customer.firstName}} and bye', people(''))).toBe('Thanks and bye');
    expect(fillPlaceholders('— {{agent.name}}', people('Ada', null))).toBe('—');
  });

  it('at the start of a line, an empty value takes the spaces after it instead', () => {
    expect(fillPlaceholders('{{customer.firstName}} hello', people(null))).toBe('hello');
    expect(fillPlaceholders('Hello\n{{customer.firstName}}  {{agent.firstName}} we called', people(null, null))).toBe('Hello\nwe called');
  });

  it('keeps unknown placeholders as typed, and lists them once each', () => {
    expect(fillPlaceholders('Your code {{order.id}} for {{customer.firstName}}', people('Ada'))).toBe('Your code {{order.id}} for Ada');
    expect(unknownPlaceholders('{{order.id}} {{ customer.phone }} {{order.id}} {{customer.name}} {{Customer.Name}}')).toEqual([
      '{{order.id}}',
      '{{ customer.phone }}',
      '{{Customer.Name}}',
    ]);
    expect(unknownPlaceholders('Hi {{customer.name}}, {single} braces are text')).toEqual([]);
  });
});
