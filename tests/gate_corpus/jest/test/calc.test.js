const { half, add } = require('../calc');

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
