/*
 * Checks libpixqlarge.so (src/main/c/large_blocks.c) from a process that preloads it before tcmalloc, as ./pixq
 * does: run by LargeBlocksTest. Prints "ok <what>" or "FAIL <what>" per check; exits 1 if one failed.
 */
#include <errno.h>
#include <malloc.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MB ((size_t) 1 << 20)
static int failures;

static void check(int ok, const char *what) {
  printf("%s %s\n", ok ? "ok" : "FAIL", what);
  if (!ok) failures++;
}

/* Whether any byte of [a, a + n) is mapped, from /proc/self/maps. */
static int mapped(uintptr_t a, size_t n) {
  FILE *f = fopen("/proc/self/maps", "r");
  char line[512];
  unsigned long lo, hi;
  int found = 0;
  while (fgets(line, sizeof line, f)) {
    if (sscanf(line, "%lx-%lx", &lo, &hi) == 2 && lo < a + n && a < hi) found = 1;
  }
  fclose(f);
  return found;
}

static int huge_aligned(uintptr_t a) { return (a & (2 * MB - 1)) == 0; }

static int all(const unsigned char *p, size_t n, unsigned char value) {
  for (size_t i = 0; i < n; i++) {
    if (p[i] != value) return 0;
  }
  return 1;
}

/* Blocks of 2-3 MB taken and given back by two threads at once, each checked before it is freed. */
static void *churn(void *arg) {
  unsigned char id = (unsigned char) (uintptr_t) arg;
  unsigned char *live[8] = {0};
  size_t sizes[8] = {0};
  long bad = 0;
  for (int i = 0; i < 4000; i++) {
    int k = i % 8;
    if (live[k] != NULL) {
      bad += live[k][0] != id || live[k][sizes[k] - 1] != id;
      free(live[k]);
    }
    sizes[k] = 2 * MB + (size_t) (i % 7) * 150000;
    live[k] = malloc(sizes[k]);
    live[k][0] = live[k][sizes[k] - 1] = id;
  }
  for (int k = 0; k < 8; k++) free(live[k]);
  return (void *) bad;
}

int main(void) {
  /* a large block: a mapping of its own, at a huge page's start, unmapped when freed */
  unsigned char *big = malloc(20 * MB);
  uintptr_t was = (uintptr_t) big;
  check(big != NULL && huge_aligned((uintptr_t) big), "malloc(20 MB) maps a block at a huge page's start");
  memset(big, 7, 20 * MB);
  check(malloc_usable_size(big) >= 20 * MB, "malloc_usable_size of it is 20 MB or more");
  free(big);
  check(!mapped(was, 20 * MB), "free unmaps it");

  unsigned char *zeroes = calloc(5, 4 * MB);
  check(zeroes != NULL && huge_aligned((uintptr_t) zeroes) && all(zeroes, 20 * MB, 0), "calloc(5, 4 MB) maps 20 MB of zeroes");
  free(zeroes);

  volatile size_t count = SIZE_MAX / 2; /* volatile: the compiler would refuse the call it can see overflow */
  errno = 0;
  check(calloc(count, 3) == NULL && errno == ENOMEM, "calloc whose size overflows returns NULL, ENOMEM");

  /* small blocks stay tcmalloc's, and realloc carries the bytes across both */
  unsigned char *p = malloc(100000);
  check(p != NULL && !huge_aligned((uintptr_t) p), "malloc(100 KB) is tcmalloc's");
  memset(p, 3, 100000);
  p = realloc(p, 8 * MB);
  check(huge_aligned((uintptr_t) p) && all(p, 100000, 3), "realloc from 100 KB to 8 MB maps it and keeps the bytes");
  memset(p, 4, 8 * MB);
  unsigned char *same = realloc(p, 5 * MB);
  check(same == p && all(same, 5 * MB, 4), "realloc to 5 MB keeps the mapping it fits in");
  p = realloc(same, 12 * MB);
  check(huge_aligned((uintptr_t) p) && all(p, 8 * MB, 4), "realloc to 12 MB keeps the bytes");
  was = (uintptr_t) p;
  unsigned char *small = realloc(p, 64000);
  check(small != NULL && !huge_aligned((uintptr_t) small) && all(small, 64000, 4) && !mapped(was, 12 * MB),
        "realloc down to 64 KB hands it to tcmalloc, keeps the bytes, unmaps the block");
  free(small);
  free(NULL);

  void *aligned = NULL;
  check(posix_memalign(&aligned, 4096, 3 * MB) == 0 && huge_aligned((uintptr_t) aligned), "posix_memalign(4096, 3 MB) maps a block");
  free(aligned);
  aligned = aligned_alloc(64, 2 * MB);
  check(aligned != NULL && huge_aligned((uintptr_t) aligned), "aligned_alloc(64, 2 MB) maps a block");
  free(aligned);
  check(posix_memalign(&aligned, 3, 3 * MB) == EINVAL, "posix_memalign(3, 3 MB) refuses the alignment");
  aligned = memalign(4, 3 * MB);
  check(aligned != NULL && huge_aligned((uintptr_t) aligned), "memalign(4, 3 MB) maps a block");
  free(aligned);
  aligned = memalign(8 * MB, 3 * MB);
  check(aligned != NULL && ((uintptr_t) aligned & (8 * MB - 1)) == 0, "memalign(8 MB, 3 MB) is aligned as asked");
  free(aligned);

  /* more large blocks at once than the table holds: the rest are tcmalloc's, and all are freed */
  enum { MANY = 300 };
  unsigned char *many[MANY];
  int ok = 1;
  for (int i = 0; i < MANY; i++) {
    many[i] = malloc(2 * MB);
    ok &= many[i] != NULL;
    if (many[i] != NULL) many[i][0] = many[i][2 * MB - 1] = 1;
  }
  for (int i = 0; i < MANY; i++) free(many[i]);
  check(ok, "300 blocks of 2 MB at once, beyond the table's 256");

  pthread_t threads[2];
  void *bad[2];
  for (int t = 0; t < 2; t++) pthread_create(&threads[t], NULL, churn, (void *) (uintptr_t) (t + 1));
  for (int t = 0; t < 2; t++) pthread_join(threads[t], &bad[t]);
  check(bad[0] == NULL && bad[1] == NULL, "two threads taking and freeing 8,000 blocks of 2-3 MB keep their bytes");
  return failures > 0;
}
