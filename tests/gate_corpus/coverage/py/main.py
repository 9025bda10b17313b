from lib import clamp

assert clamp(5, 0, 10) == 5
