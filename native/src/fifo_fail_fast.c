/*
  fifo_fail_fast.c - the process-wide table of pipes known full.

  FIFO_FAIL_FAST_SLOTS slots in sets of FIFO_FAIL_FAST_WAYS; a pipe's
  identity, hashed, picks its set. A slot's identity (device, inode, name)
  is written under a sequence count, as in a seqlock but without waiting:
  a writer claims the slot by moving the count from even to odd with one
  compare-and-swap (and gives up when another writer holds it), a reader
  that sees the count odd or changed takes the slot for "not this pipe".
  The mark itself (since_ms, 0 when not marked) and the refusal count are
  plain atomics beside it.

  What a race can cost, and why that is enough: a reader that misses a
  mark makes one bounded wait (and marks again); a mark evicted or cleared
  by another pipe's claim of the slot costs that pipe one bounded wait; a
  refusal may be counted against the pipe that took the slot over. None of
  it ever sends a line to the wrong pipe: the mark only decides whether a
  write waits.

  This table is, with fifo_pipe_buffer.c's counters, the library's only
  mutable state shared between threads.
*/
#include "fifo_fail_fast.h"

#include <stdatomic.h>
#include <stdint.h>
#include <string.h>

_Static_assert(ATOMIC_LLONG_LOCK_FREE == 2,
               "the fail-fast table needs lock-free 64-bit atomics");
_Static_assert(FIFO_FAIL_FAST_SLOTS % FIFO_FAIL_FAST_WAYS == 0,
               "FIFO_FAIL_FAST_SLOTS is a whole number of sets");

#define FIFO_FAIL_FAST_SETS (FIFO_FAIL_FAST_SLOTS / FIFO_FAIL_FAST_WAYS)

typedef struct fail_fast_slot
{
  atomic_ullong seq;                    /* odd while the identity changes */
  atomic_ullong dev;
  atomic_ullong ino;
  atomic_char name[FIFO_NAME_MAX + 1];
  atomic_llong since_ms;                /* 0: not marked */
  atomic_ullong refused;                /* writes refused under this mark */
} fail_fast_slot;

/* Zero-initialised: every slot free, nothing marked. */
static fail_fast_slot table[FIFO_FAIL_FAST_SLOTS];


/* The first slot of id's set (splitmix64's finaliser over both halves). */
static unsigned int set_of(const fifo_entry_id *id)
{
  uint64_t h= (uint64_t) id->dev * 0x9e3779b97f4a7c15ULL ^ (uint64_t) id->ino;

  h^= h >> 30;
  h*= 0xbf58476d1ce4e5b9ULL;
  h^= h >> 27;
  h*= 0x94d049bb133111ebULL;
  h^= h >> 31;
  return (unsigned int) (h % FIFO_FAIL_FAST_SETS) * FIFO_FAIL_FAST_WAYS;
}


/* 1 when the slot's identity, read consistently, is id. */
static int slot_holds(fail_fast_slot *slot, const fifo_entry_id *id)
{
  unsigned long long seq, dev, ino;

  seq= atomic_load_explicit(&slot->seq, memory_order_acquire);
  if (seq & 1)
    return 0;
  dev= atomic_load_explicit(&slot->dev, memory_order_relaxed);
  ino= atomic_load_explicit(&slot->ino, memory_order_relaxed);
  atomic_thread_fence(memory_order_acquire);
  if (atomic_load_explicit(&slot->seq, memory_order_relaxed) != seq)
    return 0;
  return dev == (unsigned long long) id->dev &&
         ino == (unsigned long long) id->ino;
}


/* Writes id and name into the slot and marks it, unless another thread
   is writing the slot right now (then the mark is lost: one more wait). */
static void slot_claim(fail_fast_slot *slot, const fifo_entry_id *id,
                       const char *name, long long since_ms)
{
  unsigned long long seq= atomic_load_explicit(&slot->seq,
                                               memory_order_relaxed);
  size_t i;

  if ((seq & 1) ||
      !atomic_compare_exchange_strong_explicit(&slot->seq, &seq, seq + 1,
                                               memory_order_acquire,
                                               memory_order_relaxed))
    return;
  atomic_thread_fence(memory_order_release);
  atomic_store_explicit(&slot->dev, (unsigned long long) id->dev,
                        memory_order_relaxed);
  atomic_store_explicit(&slot->ino, (unsigned long long) id->ino,
                        memory_order_relaxed);
  for (i= 0; i < FIFO_NAME_MAX && name[i]; i++)
    atomic_store_explicit(&slot->name[i], name[i], memory_order_relaxed);
  atomic_store_explicit(&slot->name[i], '\0', memory_order_relaxed);
  atomic_store_explicit(&slot->refused, 0, memory_order_relaxed);
  atomic_store_explicit(&slot->since_ms, since_ms, memory_order_relaxed);
  atomic_store_explicit(&slot->seq, seq + 2, memory_order_release);
}


int fifo_fail_fast_marked(const fifo_entry_id *id, fifo_fail_fast_mark *mark)
{
  unsigned int first= set_of(id), i;

  for (i= first; i < first + FIFO_FAIL_FAST_WAYS; i++)
  {
    long long since;

    /* Unmarked slots, the usual case, cost one load each. */
    if (!atomic_load_explicit(&table[i].since_ms, memory_order_relaxed))
      continue;
    if (!slot_holds(&table[i], id))
      continue;
    if (!(since= atomic_load_explicit(&table[i].since_ms,
                                      memory_order_acquire)))
      continue;
    mark->slot= i;
    mark->since_ms= since;
    return 1;
  }
  return 0;
}


unsigned long long fifo_fail_fast_refused(const fifo_fail_fast_mark *mark)
{
  return atomic_fetch_add_explicit(&table[mark->slot].refused, 1,
                                   memory_order_relaxed) + 1;
}


void fifo_fail_fast_mark_full(const fifo_entry_id *id, const char *name,
                              long long now_ms)
{
  unsigned int first= set_of(id), i;
  long long since_ms= now_ms > 0 ? now_ms : 1; /* 0 means "not marked" */
  fail_fast_slot *victim= NULL;
  long long victim_since= 0;

  for (i= first; i < first + FIFO_FAIL_FAST_WAYS; i++)
  {
    long long unmarked= 0;

    if (!slot_holds(&table[i], id))
      continue;
    /* Known already: mark it again, unless another thread just did. */
    if (atomic_compare_exchange_strong_explicit(&table[i].since_ms,
                                                &unmarked, since_ms,
                                                memory_order_release,
                                                memory_order_relaxed))
      atomic_store_explicit(&table[i].refused, 0, memory_order_relaxed);
    return;
  }
  /* A slot not marked, else the one marked longest ago. */
  for (i= first; i < first + FIFO_FAIL_FAST_WAYS; i++)
  {
    long long since= atomic_load_explicit(&table[i].since_ms,
                                          memory_order_relaxed);
    if (!victim || since < victim_since)
    {
      victim= &table[i];
      victim_since= since;
    }
    if (!since)
      break;
  }
  slot_claim(victim, id, name, since_ms);
}


void fifo_fail_fast_clear(const fifo_entry_id *id)
{
  unsigned int first= set_of(id), i;

  for (i= first; i < first + FIFO_FAIL_FAST_WAYS; i++)
  {
    long long since= atomic_load_explicit(&table[i].since_ms,
                                          memory_order_relaxed);

    /* Only the mark seen here: a newer claim of the slot stays marked. */
    if (since && slot_holds(&table[i], id))
      atomic_compare_exchange_strong_explicit(&table[i].since_ms, &since, 0,
                                              memory_order_release,
                                              memory_order_relaxed);
  }
}


unsigned int fifo_fail_fast_list(fifo_fail_fast_entry *out, unsigned int max)
{
  fifo_fail_fast_entry entry;
  unsigned int count= 0, i;
  size_t c;

  for (i= 0; i < FIFO_FAIL_FAST_SLOTS; i++)
  {
    fail_fast_slot *slot= &table[i];
    unsigned long long seq= atomic_load_explicit(&slot->seq,
                                                 memory_order_acquire);

    if (seq & 1)
      continue;
    if (!(entry.since_ms= atomic_load_explicit(&slot->since_ms,
                                               memory_order_relaxed)))
      continue;
    entry.refused= atomic_load_explicit(&slot->refused, memory_order_relaxed);
    for (c= 0; c < FIFO_NAME_MAX; c++)
      if (!(entry.name[c]= atomic_load_explicit(&slot->name[c],
                                                memory_order_relaxed)))
        break;
    entry.name[c]= '\0';
    atomic_thread_fence(memory_order_acquire);
    if (atomic_load_explicit(&slot->seq, memory_order_relaxed) != seq)
      continue;
    if (count < max)
      out[count]= entry;
    count++;
  }
  return count;
}
