/** All `size`-element subsets of 0..count−1, in lexicographic order. */
export function subsetsOf(count: number, size: number): number[][] {
  const out: number[][] = [];
  const walk = (start: number, prefix: number[]): void => {
    if (prefix.length === size) {
      out.push([...prefix]);
      return;
    }
    for (let i = start; i < count; i++) walk(i + 1, [...prefix, i]);
  };
  walk(0, []);
  return out;
}
