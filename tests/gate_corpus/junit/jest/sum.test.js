const sum = require("./sum");

test("adds 1 + 2 to equal 3", () => {
  expect(sum(1, 2)).toBe(3);
});

test("adds zero", () => {
  expect(sum(0, 0)).toBe(1);
});

test.skip("later", () => {
  expect(true).toBe(false);
});
