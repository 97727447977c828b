#include "cache/fill.h"

#include <gtest/gtest.h>

#include <string>
#include <thread>

namespace edgefront::cache {
namespace {

std::string read_all(const Fill& fill) {
  std::string out;
  while (true) {
    Fill::Chunk c = fill.read(out.size());
    if (c.data.empty()) return out;
    out.append(c.data.data(), c.data.size());
  }
}

TEST(Fill, AppendsAcrossBlocksAndReadsBackInOrder) {
  Fill fill(10);  // a small first block, then 256 KiB blocks
  std::string expected;
  for (int i = 0; i < 3000; ++i) {
    std::string piece(257, static_cast<char>('a' + i % 26));
    fill.append(piece);
    expected += piece;
  }
  EXPECT_EQ(fill.size(), expected.size());
  EXPECT_EQ(fill.state(), Fill::State::kFilling);
  EXPECT_EQ(read_all(fill), expected);
  fill.complete();
  EXPECT_EQ(fill.read(expected.size()).state, Fill::State::kComplete);
}

TEST(Fill, FailIsFinalAndVisibleToReaders) {
  Fill fill;
  fill.append("abc");
  fill.fail();
  fill.complete();  // too late: a failed body never becomes complete
  EXPECT_EQ(fill.state(), Fill::State::kFailed);
  EXPECT_EQ(fill.read(3).state, Fill::State::kFailed);
}

TEST(Fill, ReaderOnAnotherThreadWakesAsBytesArrive) {
  Fill fill;
  asio::io_context reader_context;
  std::string got;
  bool done = false;
  auto reader = [](Fill& f, std::string& out, bool& finished) -> net::awaitable<void> {
    while (true) {
      Fill::Chunk c = f.read(out.size());
      if (!c.data.empty()) {
        out.append(c.data.data(), c.data.size());
        continue;
      }
      if (c.state != Fill::State::kFilling) break;
      co_await f.wait_beyond(out.size());
    }
    finished = true;
  };
  asio::co_spawn(reader_context, reader(fill, got, done), asio::detached);
  std::thread t([&] { reader_context.run(); });
  for (int i = 0; i < 100; ++i) fill.append(std::string(1000, 'x'));
  fill.complete();
  t.join();
  EXPECT_TRUE(done);
  EXPECT_EQ(got.size(), 100'000u);
}

TEST(Fill, NotKeepingDropsWhatEveryReaderHasRead) {
  Fill fill;
  size_t slot = fill.reader_joined();
  fill.stop_keeping();
  std::string block(256 * 1024, 'z');
  fill.append(block);
  fill.append(block);
  fill.append("tail");
  fill.reader_progress(slot, block.size());
  asio::io_context ctx;
  bool room = false;
  auto writer = [](Fill& f, bool& out) -> net::awaitable<void> {
    out = co_await f.wait_for_readers(1 << 20);
  };
  asio::co_spawn(ctx, writer(fill, room), asio::detached);
  ctx.run();
  EXPECT_TRUE(room);
  EXPECT_TRUE(fill.read(0).data.empty()) << "the first block was read by everyone";
  EXPECT_EQ(fill.read(block.size()).data.size(), block.size());
  fill.reader_left(slot);
  ctx.restart();
  asio::co_spawn(ctx, writer(fill, room), asio::detached);
  ctx.run();
  EXPECT_FALSE(room) << "no reader left: the writer should give up";
}

TEST(Fill, ReadersWhoseFillEndedMayStillReportAndLeave) {
  // The waiting state is dropped when the fill ends; readers that joined before must not
  // notice, and a writer waiting for them is woken rather than left hanging.
  Fill fill;
  size_t slot = fill.reader_joined();
  fill.stop_keeping();
  fill.append(std::string(256 * 1024, 'a'));
  fill.append(std::string(256 * 1024, 'b'));
  asio::io_context ctx;
  bool woken = false;
  auto writer = [](Fill& f, bool& out) -> net::awaitable<void> {
    (void)co_await f.wait_for_readers(1);  // the reader is behind: waits
    out = true;
  };
  asio::co_spawn(ctx, writer(fill, woken), asio::detached);
  ctx.poll();
  EXPECT_FALSE(woken);
  fill.complete();
  ctx.restart();
  ctx.poll();
  EXPECT_TRUE(woken);
  fill.reader_progress(slot, 10);
  fill.reader_left(slot);
  size_t late = fill.reader_joined();
  fill.reader_left(late);
  EXPECT_EQ(fill.state(), Fill::State::kComplete);
}

TEST(Fill, SettledOnlyWhenCompleteWithEveryBlockKept) {
  Fill kept;
  kept.append("abc");
  EXPECT_FALSE(kept.settled());
  kept.complete();
  EXPECT_TRUE(kept.settled());

  Fill failed;
  failed.append("abc");
  failed.fail();
  EXPECT_FALSE(failed.settled());

  Fill streamed;  // too large to keep: its readers must still register
  streamed.stop_keeping();
  streamed.append("abc");
  streamed.complete();
  EXPECT_FALSE(streamed.settled());
}

}  // namespace
}  // namespace edgefront::cache
