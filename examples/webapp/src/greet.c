/* greet: the example application that gauntlet builds, tests and packages. */
#include <stdio.h>
#include <string.h>

static const char* greeting(const char* locale) {
  if (strcmp(locale, "fr") == 0) return "Bonjour";
  if (strcmp(locale, "de") == 0) return "Hallo";
  return "Hello";
}

int main(int argc, char** argv) {
  const char* locale = argc > 1 ? argv[1] : "en";
  const char* name = argc > 2 ? argv[2] : "world";
  printf("%s, %s!\n", greeting(locale), name);
  return 0;
}
