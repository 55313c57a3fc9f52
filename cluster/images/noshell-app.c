// The "distroless" demo app: one static binary, no shell, no tools in its image.
// It logs a heartbeat and keeps a small report file that a debug container can fetch.
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

static void on_stop(int sig) { (void)sig; _exit(0); }

int main(void) {
  signal(SIGTERM, on_stop);
  unsigned long n = 0;
  for (;;) {
    n++;
    FILE *f = fopen("/tmp/report.txt", "w");
    if (f) {
      fprintf(f, "orders processed: %lu\nstatus: degraded (cache cold)\n", n * 7);
      fclose(f);
    }
    printf("noshell-app: heartbeat %lu, orders processed %lu\n", n, n * 7);
    fflush(stdout);
    sleep(2);
  }
}
