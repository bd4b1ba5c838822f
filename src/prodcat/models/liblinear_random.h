// Per-thread, per-seed random streams for liblinear, so one-vs-rest classes can train in parallel
// and still give the same model whatever the thread count or scheduling.
//
// liblinear's dual solvers shuffle with the C library's rand(), one generator shared by the whole
// process. liblinear_random.cpp therefore defines rand() and srand() for the process: the
// executable's definitions interpose the C library's for every shared library (ELF symbol
// lookup finds the executable first), so liblinear's rand() reaches them. Each thread has its own
// glibc-compatible generator (random_r, the algorithm and seeding of glibc's rand), so a stream
// seeded on a thread depends on nothing else, and on one thread the numbers equal glibc's.
// When interposition is not in effect (e.g. the code is linked into a shared library), callers
// must serialize liblinear trainings; seeding the shared generator gives the same numbers.
#pragma once

namespace prodcat {

// True when rand() as liblinear sees it is this thread-local one (checked once, cached).
bool ThreadLocalRandIsActive();

// Seeds the stream liblinear will draw from on this thread: the thread's own one, or without
// interposition the process-wide one (the caller then holds a lock around seeding + training).
void SeedRand(unsigned seed);

}  // namespace prodcat
