/*
 * The local CPI's entry point: `cpi-client NODE CPI_JS CONFIG`, run by the job's bin/cpi.
 *
 * Starting node costs more than a CPI call's own work, so a call goes to a warm CPI process
 * (a "helper": the same cpi.js, serving over a unix socket) when one is there for exactly this
 * program, argument list, working directory, user and environment; the socket's name is a hash
 * of all of these. Otherwise, or when the helper is gone, runs a different cpi.js (it answers
 * the hello below with anything but 'A') or does not answer within HELLO_TIMEOUT_MS, this
 * execs `NODE CPI_JS CONFIG` with the call's own stdin, and that process answers the call
 * itself and leaves a helper behind for the next one (it learns where from BOOTSTRAP_LOCAL_CPI_HELPER).
 * While that helper starts, "<socket>.starting" holds its pid: a call that finds no socket but a
 * live starting helper waits for it (up to HELLO_TIMEOUT_MS) instead of starting node again.
 *
 * To the caller both paths look the same: the request on stdin, the response on stdout, logs
 * on stderr, the CPI's exit code. A call is never run twice: once the helper has said 'R'
 * (request received, starting), the call is the helper's; a helper that dies after that is
 * reported as a failed call (exit 1), as a CPI process that died would be.
 *
 * Wire protocol (all on one connection):
 *   client -> "BLC1 " + 16 hex digits (FNV-1a 64 of cpi.js) + "\n"
 *   helper -> 'A' (same cpi.js; anything else or EOF: fall back)
 *   client -> 4-byte big-endian length + request bytes
 *   helper -> 'R', then 4-byte stdout length, 4-byte stderr length, 1-byte exit code, stdout, stderr
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

extern char **environ;

#define HELPER_ENV "BOOTSTRAP_LOCAL_CPI_HELPER"
#define SOCKET_DIR_PREFIX "/tmp/bootstrap-local-cpi-"
#define STARTING_SUFFIX ".starting"
/* Long enough for a busy machine to schedule a live helper; a stopped one only costs this once. */
#define HELLO_TIMEOUT_MS 5000
/* A starting helper listens within a node start-up (hundreds of ms): a few ms late costs little. */
#define STARTING_POLL_MS 5

typedef struct {
  char *data;
  size_t len;
} buffer;

static uint64_t fnv1a(uint64_t hash, const void *data, size_t len) {
  const unsigned char *p = data;
  for (size_t i = 0; i < len; i++) {
    hash ^= p[i];
    hash *= 0x100000001b3ULL;
  }
  return hash;
}

static uint64_t fnv1a_str(uint64_t hash, const char *s) { return fnv1a(hash, s, strlen(s) + 1); }

static int read_all(int fd, buffer *out) {
  size_t cap = 65536;
  out->data = malloc(cap);
  out->len = 0;
  if (out->data == NULL) return -1;
  for (;;) {
    if (out->len == cap) {
      char *bigger = realloc(out->data, cap *= 2);
      if (bigger == NULL) return -1;
      out->data = bigger;
    }
    ssize_t n = read(fd, out->data + out->len, cap - out->len);
    if (n == 0) return 0;
    if (n < 0 && errno != EINTR) return -1;
    if (n > 0) out->len += (size_t)n;
  }
}

static int read_exact(int fd, void *to, size_t len) {
  char *p = to;
  while (len > 0) {
    ssize_t n = read(fd, p, len);
    if (n == 0) return -1;
    if (n < 0 && errno != EINTR) return -1;
    if (n > 0) p += n, len -= (size_t)n;
  }
  return 0;
}

static int write_all(int fd, const void *from, size_t len) {
  const char *p = from;
  while (len > 0) {
    ssize_t n = write(fd, p, len);
    if (n < 0 && errno != EINTR) return -1;
    if (n > 0) p += n, len -= (size_t)n;
  }
  return 0;
}

static int compare_strings(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

/* The helper's socket for this exact call, or "" when none may be used (no private directory). */
static void socket_path(char *out, size_t size, char **args, uint64_t program_hash) {
  out[0] = '\0';
  char dir[64], cwd[4096], number[32];
  snprintf(dir, sizeof dir, SOCKET_DIR_PREFIX "%u", (unsigned)geteuid());
  struct stat st;
  if (lstat(dir, &st) == 0 && (!S_ISDIR(st.st_mode) || st.st_uid != geteuid() || (st.st_mode & 077) != 0)) return;
  if (getcwd(cwd, sizeof cwd) == NULL) return;

  uint64_t hash = fnv1a_str(0xcbf29ce484222325ULL, "bootstrap-local-cpi-helper-1");
  snprintf(number, sizeof number, "%u %016llx", (unsigned)geteuid(), (unsigned long long)program_hash);
  hash = fnv1a_str(hash, number);
  hash = fnv1a_str(hash, cwd);
  for (char **a = args; *a != NULL; a++) hash = fnv1a_str(hash, *a);
  hash = fnv1a_str(hash, "");
  size_t count = 0;
  while (environ[count] != NULL) count++;
  char **sorted = malloc((count + 1) * sizeof *sorted);
  if (sorted == NULL) return;
  memcpy(sorted, environ, count * sizeof *sorted);
  qsort(sorted, count, sizeof *sorted, compare_strings);
  for (size_t i = 0; i < count; i++) hash = fnv1a_str(hash, sorted[i]);
  free(sorted);
  snprintf(out, size, "%s/%016llx.sock", dir, (unsigned long long)hash);
}

static int connect_to(const char *path) {
  struct sockaddr_un address = {.sun_family = AF_UNIX};
  if (strlen(path) >= sizeof address.sun_path) return -1;
  strcpy(address.sun_path, path);
  int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return -1;
  if (connect(fd, (struct sockaddr *)&address, sizeof address) != 0) {
    close(fd);
    return -1;
  }
  return fd;
}

/*
 * The connection to the helper that the previous call started, once it listens; -1 when no
 * helper is starting (no marker, or its process is gone) or it does not listen in time.
 */
static int await_starting_helper(const char *path) {
  char marker[4300];
  snprintf(marker, sizeof marker, "%s" STARTING_SUFFIX, path);
  FILE *file = fopen(marker, "re");
  if (file == NULL) return -1;
  long pid = 0;
  int found = fscanf(file, "%ld", &pid);
  fclose(file);
  if (found != 1 || pid <= 0) return -1;
  for (int waited = 0; waited < HELLO_TIMEOUT_MS; waited += STARTING_POLL_MS) {
    if (kill((pid_t)pid, 0) != 0 && errno == ESRCH) return -1;
    poll(NULL, 0, STARTING_POLL_MS);
    int fd = connect_to(path);
    if (fd >= 0) return fd;
  }
  return -1;
}

static int expect_byte(int fd, char wanted, int timeout_ms) {
  struct pollfd p = {.fd = fd, .events = POLLIN};
  int ready;
  do ready = poll(&p, 1, timeout_ms);
  while (ready < 0 && errno == EINTR);
  char got;
  return ready == 1 && read_exact(fd, &got, 1) == 0 && got == wanted ? 0 : -1;
}

static uint32_t be32(const unsigned char *p) { return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3]; }

/* Runs node on the request this process already read from its stdin (the helper took it, then died). */
static void feed_stdin(const buffer *request) {
  FILE *file = tmpfile();
  if (file == NULL || write_all(fileno(file), request->data, request->len) != 0 || lseek(fileno(file), 0, SEEK_SET) != 0 ||
      dup2(fileno(file), STDIN_FILENO) < 0) {
    fprintf(stderr, "cpi-client: cannot hand the request to node: %s\n", strerror(errno));
    exit(1);
  }
}

static int run_node(char **args, const char *helper_socket) {
  if (helper_socket[0] != '\0') setenv(HELPER_ENV, helper_socket, 1);
  signal(SIGPIPE, SIG_DFL);
  execvp(args[0], args);
  fprintf(stderr, "cpi-client: cannot run %s: %s\n", args[0], strerror(errno));
  return 127;
}

int main(int argc, char **argv) {
  if (argc < 3) {
    fprintf(stderr, "usage: cpi-client NODE CPI_JS [ARGS...]\n");
    return 2;
  }
  char **node_args = argv + 1;
  /* A dead helper must show as a failed write, not kill the client before it can fall back. */
  signal(SIGPIPE, SIG_IGN);

  buffer program;
  int program_fd = open(argv[2], O_RDONLY | O_CLOEXEC);
  if (program_fd < 0 || read_all(program_fd, &program) != 0) return run_node(node_args, "");
  close(program_fd);
  uint64_t program_hash = fnv1a(0xcbf29ce484222325ULL, program.data, program.len);
  free(program.data);

  char path[4200];
  socket_path(path, sizeof path, node_args, program_hash);
  if (path[0] == '\0') return run_node(node_args, "");
  int fd = connect_to(path);
  if (fd < 0) fd = await_starting_helper(path);
  if (fd < 0) return run_node(node_args, path);

  char hello[32];
  int hello_len = snprintf(hello, sizeof hello, "BLC1 %016llx\n", (unsigned long long)program_hash);
  if (write_all(fd, hello, (size_t)hello_len) != 0 || expect_byte(fd, 'A', HELLO_TIMEOUT_MS) != 0) {
    close(fd);
    return run_node(node_args, path);
  }

  buffer request;
  if (read_all(STDIN_FILENO, &request) != 0 || request.len > UINT32_MAX) {
    fprintf(stderr, "cpi-client: cannot read the request from stdin: %s\n", strerror(errno));
    return 1;
  }
  unsigned char length[4] = {request.len >> 24, request.len >> 16, request.len >> 8, request.len};
  if (write_all(fd, length, 4) != 0 || write_all(fd, request.data, request.len) != 0 || expect_byte(fd, 'R', -1) != 0) {
    close(fd);
    feed_stdin(&request);
    return run_node(node_args, path);
  }

  unsigned char header[9];
  if (read_exact(fd, header, sizeof header) != 0) {
    fprintf(stderr, "cpi-client: the local CPI helper (%s) ended during the call\n", path);
    return 1;
  }
  uint32_t sizes[2] = {be32(header), be32(header + 4)};
  int outputs[2] = {STDOUT_FILENO, STDERR_FILENO};
  for (int i = 0; i < 2; i++) {
    buffer part = {.data = malloc(sizes[i] + 1), .len = sizes[i]};
    if (part.data == NULL || read_exact(fd, part.data, part.len) != 0) {
      fprintf(stderr, "cpi-client: the local CPI helper (%s) ended during the call\n", path);
      return 1;
    }
    write_all(outputs[i], part.data, part.len);
    free(part.data);
  }
  return header[8];
}
