import { describe, test, expect } from 'vitest';
import { half, add } from '../calc.js';

describe('calc', () => {
  test('adds', () => {
    expect(add(2, 2)).toBe(4);
  });

  test('halves', () => {
    expect(half(8)).toBe(4);
  });
});

test('throws plainly', () => {
  const o = undefined;
  return o.value;
});
