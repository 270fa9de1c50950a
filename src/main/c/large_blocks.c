/*
 * Large blocks in mappings of their own, in front of tcmalloc (libpixqlarge.so, preloaded before tcmalloc by ./pixq
 * and the worker image). tcmalloc keeps the pages a freed block leaves and hands them back only slowly, so blocks of
 * changing sizes (a progressive photo's coefficients, 4-54 MB; a PNG decoded whole; the output images) each grew its
 * heap anew: 440 photos at fit 1024 on 2 workers held 126-149 MB of heap for at most 94 MB in use, the peak's
 * largest part. A block of a huge page or more (2 MB) is mapped here, in whole huge pages, and unmapped when freed:
 * a fault per 2 MB page instead of one per 4 KB (11 us each on this machine: 0.18 s to touch 64 MB, 4 ms in huge
 * pages). Only where the kernel gives huge pages to a mapping that asks (transparent huge pages "always" or
 * "madvise"); elsewhere every block is tcmalloc's, as without this library.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

/* tcmalloc's own entry points (gperftools), which every block this library does not map goes to */
void *tc_malloc(size_t);
void *tc_calloc(size_t, size_t);
void *tc_realloc(void *, size_t);
void tc_free(void *);
int tc_posix_memalign(void **, size_t, size_t);
void *tc_memalign(size_t, size_t);
size_t tc_malloc_size(void *);

/* The blocks mapped here: few at a time (a worker holds a handful), so a table; full, tcmalloc takes the block. */
#define MAPPED_MAX 256
static struct {
  void *start;
  size_t length;
} mapped[MAPPED_MAX];
static pthread_mutex_t mapped_lock = PTHREAD_MUTEX_INITIALIZER;
static size_t huge_page; /* 0 where the kernel gives no huge page to a mapping that asks: tcmalloc takes all */

/* Reads a small /sys file with system calls: stdio would allocate, through this very library. */
static void read_setting(const char *path, char *text, size_t size) {
  text[0] = 0;
  int fd = open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0) return;
  ssize_t n = read(fd, text, size - 1);
  text[n > 0 ? n : 0] = 0;
  close(fd);
}

/* A child forked while another thread held the table's lock would wait for it forever at its first large block. */
static void lock_table(void) { pthread_mutex_lock(&mapped_lock); }
static void unlock_table(void) { pthread_mutex_unlock(&mapped_lock); }

__attribute__((constructor)) static void find_huge_page(void) {
  pthread_atfork(lock_table, unlock_table, unlock_table);
  char enabled[128], size[32];
  read_setting("/sys/kernel/mm/transparent_hugepage/enabled", enabled, sizeof enabled);
  read_setting("/sys/kernel/mm/transparent_hugepage/hpage_pmd_size", size, sizeof size);
  size_t bytes = (size_t) strtoul(size, NULL, 10);
  if ((strstr(enabled, "[always]") || strstr(enabled, "[madvise]")) && bytes > 0 && (bytes & (bytes - 1)) == 0) {
    huge_page = bytes;
  }
}

/* A zeroed block of n bytes or more in whole huge pages, or NULL (the caller then asks tcmalloc). */
static void *map_block(size_t n) {
  if (n > SIZE_MAX / 2) return NULL;
  size_t length = (n + huge_page - 1) & ~(huge_page - 1);
  char *start = mmap(NULL, length + huge_page, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (start == MAP_FAILED) return NULL;
  /* huge pages only where whole aligned ones fit: keep the aligned part, unmap the ends */
  char *block = (char *) (((uintptr_t) start + huge_page - 1) & ~(uintptr_t) (huge_page - 1));
  if (block > start) munmap(start, (size_t) (block - start));
  munmap(block + length, (size_t) (start + huge_page - block));
  madvise(block, length, MADV_HUGEPAGE);
  pthread_mutex_lock(&mapped_lock);
  for (int i = 0; i < MAPPED_MAX; i++) {
    if (mapped[i].start == NULL) {
      mapped[i].start = block;
      mapped[i].length = length;
      pthread_mutex_unlock(&mapped_lock);
      return block;
    }
  }
  pthread_mutex_unlock(&mapped_lock);
  munmap(block, length);
  return NULL;
}

/* The length of the block mapped at p (taking it out of the table when forget), or 0 where it is tcmalloc's. */
static size_t mapped_length(void *p, int forget) {
  if (huge_page == 0 || p == NULL || ((uintptr_t) p & (huge_page - 1)) != 0) return 0; /* ours all start aligned */
  size_t length = 0;
  pthread_mutex_lock(&mapped_lock);
  for (int i = 0; i < MAPPED_MAX; i++) {
    if (mapped[i].start == p) {
      length = mapped[i].length;
      if (forget) mapped[i].start = NULL;
      break;
    }
  }
  pthread_mutex_unlock(&mapped_lock);
  return length;
}

static int large(size_t n) { return huge_page != 0 && n >= huge_page; }

void *malloc(size_t n) {
  void *p = large(n) ? map_block(n) : NULL;
  return p != NULL ? p : tc_malloc(n);
}

void *calloc(size_t count, size_t size) {
  size_t n;
  if (__builtin_mul_overflow(count, size, &n)) {
    errno = ENOMEM;
    return NULL;
  }
  void *p = large(n) ? map_block(n) : NULL; /* a fresh mapping is zeroed */
  return p != NULL ? p : tc_calloc(count, size);
}

void free(void *p) {
  size_t length = mapped_length(p, 1);
  if (length > 0) {
    munmap(p, length);
  } else {
    tc_free(p);
  }
}

void *realloc(void *p, size_t n) {
  size_t length = mapped_length(p, 0);
  if (length == 0 && !large(n)) return tc_realloc(p, n);
  if (length > 0 && n <= length && large(n)) return p;
  void *q = malloc(n);
  if (q != NULL && p != NULL) {
    size_t old = length > 0 ? length : tc_malloc_size(p);
    memcpy(q, p, old < n ? old : n);
    free(p);
  }
  return q;
}

/* A mapped block starts on a huge page: aligned for any power of two up to it. */
static int mappable(size_t alignment, size_t n) {
  return large(n) && alignment <= huge_page && (alignment & (alignment - 1)) == 0;
}

int posix_memalign(void **p, size_t alignment, size_t n) {
  if (alignment >= sizeof(void *) && mappable(alignment, n) && (*p = map_block(n)) != NULL) return 0;
  return tc_posix_memalign(p, alignment, n);
}

void *memalign(size_t alignment, size_t n) {
  void *p = mappable(alignment, n) ? map_block(n) : NULL;
  return p != NULL ? p : tc_memalign(alignment, n);
}

void *aligned_alloc(size_t alignment, size_t n) { return memalign(alignment, n); }

size_t malloc_usable_size(void *p) {
  size_t length = mapped_length(p, 0);
  return length > 0 ? length : tc_malloc_size(p);
}
