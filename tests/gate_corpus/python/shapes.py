from typing import List


def area(w: int, h: int) -> int:
    return w * h


def total(sizes: List[int]) -> str:
    return sum(sizes)


area("3", 4)
