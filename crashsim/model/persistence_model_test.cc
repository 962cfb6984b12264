#include "crashsim/model/persistence_model.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <set>

#include "crashsim/model/state_id.h"
#include "crashsim/model/timeline.h"
#include "crashsim/record/recording_vfs.h"
#include "crashsim/test_util.h"
#include "vfs/mem_vfs.h"

namespace crashsim {
namespace {

using ::testing::UnorderedElementsAreArray;
using testing::file_text;
using testing::text_of;
using testing::write_text;

// Records calls on a MemVfs; the trace ends where the test stops.
class ModelTest : public ::testing::Test {
 protected:
  std::unique_ptr<vfs::File> create(const std::string& path) {
    auto f = rec_.open(path, vfs::OpenMode::kCreate);
    EXPECT_TRUE(f.ok());
    return std::move(f).value();
  }
  void write(vfs::File& f, uint64_t offset, std::string_view s) { ASSERT_TRUE(write_text(f, offset, s).ok()); }
  void sync(vfs::File& f) { ASSERT_TRUE(f.sync().ok()); }
  void sync_dir(const std::string& d) { ASSERT_TRUE(rec_.sync_dir(d).ok()); }

  // The frontier at the end of what was recorded so far.
  Frontier at_end(FsRules rules = {}) {
    trace_ = rec_.trace();
    return frontiers_at(trace_, rules, {trace_.ops.size()}).front();
  }
  DiskImage image(ModelKind kind, const Frontier& f, const Choice& c = {}) {
    auto img = build_image(kind, trace_, f, c);
    EXPECT_TRUE(img.ok()) << img.status().to_string();
    return img.ok() ? img.value() : DiskImage{};
  }
  // The contents of `path` in every state `config` generates at `f`.
  std::vector<std::string> contents_of_every_state(const ModelConfig& config, const Frontier& f,
                                                   const std::string& path) {
    std::vector<std::string> out;
    for (const Choice& c : choices_at(config, trace_, f)) out.push_back(file_text(image(config.kind, f, c), path));
    return out;
  }

  vfs::MemVfs mem_;
  RecordingVfs rec_{mem_};
  Trace trace_;
};

TEST_F(ModelTest, ProcessCrashKeepsEverythingAndLoseUnsyncedKeepsTheLastSync) {
  auto f = create("f");
  sync_dir(".");
  write(*f, 0, "aaaa");
  sync(*f);
  write(*f, 0, "b");
  const Frontier fr = at_end();
  EXPECT_EQ(file_text(image(ModelKind::kProcessCrash, fr), "f"), "baaa");
  EXPECT_EQ(file_text(image(ModelKind::kLoseUnsynced, fr), "f"), "aaaa");
}

TEST_F(ModelTest, AFrontierNeverChangesAndSharesTheChunksLaterWritesLeaveAlone) {
  auto f = create("f");
  write(*f, 0, std::string(3 * FileContents::kChunkSize, 'a'));
  write(*f, FileContents::kChunkSize + 1, "b");
  trace_ = rec_.trace();
  TimelineWalker walker(trace_, {});
  walker.advance_to(2);
  const Frontier before = walker.frontier();
  walker.advance_to(3);
  const Frontier after = walker.frontier();
  const FileContents& old_live = before.inodes.begin()->second.live;
  const FileContents& new_live = after.inodes.begin()->second.live;
  EXPECT_EQ(text_of(old_live), std::string(3 * FileContents::kChunkSize, 'a'));
  std::string expected(3 * FileContents::kChunkSize, 'a');
  expected[FileContents::kChunkSize + 1] = 'b';
  EXPECT_EQ(text_of(new_live), expected);
  // The write copied the one chunk it landed in; the other two are shared.
  EXPECT_EQ(new_live.chunks_not_shared_with(old_live), 1u);
}

TEST_F(ModelTest, ThreePendingWritesUnderReorderGiveEightStates) {
  auto f = create("f");
  sync_dir(".");
  write(*f, 0, "aaaa");
  sync(*f);
  write(*f, 0, "b");
  write(*f, 1, "c");
  write(*f, 2, "d");
  const Frontier fr = at_end();
  ModelConfig config{.kind = ModelKind::kReorder};
  EXPECT_EQ(allowed_states(config, trace_, fr), 8);
  EXPECT_FALSE(samples_at(config, trace_, fr));
  const std::vector<Choice> choices = choices_at(config, trace_, fr);
  ASSERT_EQ(choices.size(), 8u);
  std::vector<std::string> ids;
  for (const Choice& c : choices) ids.push_back(encode_choice(ModelKind::kReorder, c));
  EXPECT_EQ(ids, (std::vector<std::string>{"0", "1", "2", "3", "4", "5", "6", "7"}));
  EXPECT_THAT(contents_of_every_state(config, fr, "f"),
              UnorderedElementsAreArray({"aaaa", "baaa", "acaa", "bcaa", "aada", "bada", "acda", "bcda"}));
}

TEST_F(ModelTest, ReorderAppliesPersistedOverlappingWritesInIssueOrder) {
  auto f = create("f");
  sync_dir(".");
  write(*f, 0, "..");
  sync(*f);
  write(*f, 0, "xy");
  write(*f, 0, "z");
  const Frontier fr = at_end();
  EXPECT_THAT(contents_of_every_state({.kind = ModelKind::kReorder}, fr, "f"),
              UnorderedElementsAreArray({"..", "xy", "z.", "zy"}));
}

TEST_F(ModelTest, ReorderSamplesBeyondTheBoundDeterministically) {
  auto f = create("f");
  sync_dir(".");
  sync(*f);
  for (int i = 0; i < 12; ++i) write(*f, static_cast<uint64_t>(i), "x");
  const Frontier fr = at_end();
  const ModelConfig config{.kind = ModelKind::kReorder, .enumerate_bound = 10, .samples_per_point = 20, .seed = 7};
  EXPECT_TRUE(samples_at(config, trace_, fr));
  EXPECT_EQ(allowed_states(config, trace_, fr), 4096);
  const std::vector<Choice> a = choices_at(config, trace_, fr);
  const std::vector<Choice> b = choices_at(config, trace_, fr);
  ASSERT_EQ(a.size(), 20u);
  std::set<std::string> ids;
  for (size_t i = 0; i < a.size(); ++i) {
    EXPECT_EQ(encode_choice(config.kind, a[i]), encode_choice(config.kind, b[i]));
    ids.insert(encode_choice(config.kind, a[i]));
  }
  EXPECT_EQ(ids.size(), 20u);  // no duplicates
  EXPECT_TRUE(ids.contains("0"));
  EXPECT_TRUE(ids.contains("fff"));
}

TEST_F(ModelTest, TornKeepsOldContentsInTheSectorsThatDidNotReachTheDisk) {
  auto f = create("f");
  sync_dir(".");
  write(*f, 0, "AAAABBBBCCCC");
  sync(*f);
  write(*f, 2, "xxxxxxxx");  // bytes 2..9: sectors 0, 1 and 2 of 4 bytes
  const Frontier fr = at_end();
  const ModelConfig config{.kind = ModelKind::kTorn, .sector_size = 4};
  EXPECT_EQ(allowed_states(config, trace_, fr), 8 + 3 * 4);  // every pattern, or one sector as noise
  std::vector<std::string> old_or_new;
  for (const Choice& c : choices_at(config, trace_, fr)) {
    if (!c.garbage) old_or_new.push_back(file_text(image(config.kind, fr, c), "f"));
  }
  EXPECT_THAT(old_or_new,
              UnorderedElementsAreArray({"AAAABBBBCCCC", "AAxxBBBBCCCC", "AAAAxxxxCCCC", "AAxxxxxxCCCC",
                                         "AAAABBBBxxCC", "AAxxBBBBxxCC", "AAAAxxxxxxCC", "AAxxxxxxxxCC"}));
  const auto choice = decode_choice(ModelKind::kTorn, "4:5", trace_, fr);
  ASSERT_TRUE(choice.ok()) << choice.status().to_string();
  EXPECT_EQ(file_text(image(ModelKind::kTorn, fr, *choice), "f"), "AAxxBBBBxxCC");
}

// The sector being written when the power went out holds noise where the
// write covers it; its bytes outside the write keep their contents.
TEST_F(ModelTest, TornAlsoLeavesNoiseInTheSectorThatWasBeingWritten) {
  auto f = create("f");
  sync_dir(".");
  write(*f, 0, "AAAABBBBCCCC");
  sync(*f);
  write(*f, 2, "xxxxxxxx");  // sectors 0, 1 and 2 of 4 bytes
  const Frontier fr = at_end();
  const ModelConfig config{.kind = ModelKind::kTorn, .sector_size = 4};
  std::set<std::string> ids;
  for (const Choice& c : choices_at(config, trace_, fr)) {
    if (c.garbage) ids.insert(encode_choice(config.kind, c));
  }
  // Per sector: in issue order up to it (earlier sectors whole, later ones not), and all but it.
  EXPECT_EQ(ids, (std::set<std::string>{"4:0:g0.0", "4:6:g0.0", "4:1:g0.1", "4:5:g0.1", "4:3:g0.2"}));
  const auto choice = decode_choice(ModelKind::kTorn, "4:1:g0.1", trace_, fr);
  ASSERT_TRUE(choice.ok()) << choice.status().to_string();
  const std::string text = file_text(image(ModelKind::kTorn, fr, *choice), "f");
  ASSERT_EQ(text.size(), 12u);
  EXPECT_EQ(text.substr(0, 4), "AAxx");
  EXPECT_NE(text.substr(4, 4), "BBBB");
  EXPECT_NE(text.substr(4, 4), "xxxx");
  EXPECT_EQ(text.substr(8), "CCCC");
  EXPECT_EQ(file_text(image(ModelKind::kTorn, fr, *choice), "f"), text);  // the id rebuilds the same noise
  const auto first = decode_choice(ModelKind::kTorn, "4:0:g0.0", trace_, fr);
  ASSERT_TRUE(first.ok());
  const std::string noisy_head = file_text(image(ModelKind::kTorn, fr, *first), "f");
  EXPECT_EQ(noisy_head.substr(0, 2), "AA");  // outside the write
  EXPECT_NE(noisy_head.substr(2, 2), "AA");
  EXPECT_EQ(noisy_head.substr(4), "BBBBCCCC");
  EXPECT_FALSE(decode_choice(ModelKind::kTorn, "4:2:g0.1", trace_, fr).ok());  // sector 1 both whole and noise
  EXPECT_FALSE(decode_choice(ModelKind::kTorn, "4:0:g0.3", trace_, fr).ok());  // the write has 3 sectors
  EXPECT_FALSE(decode_choice(ModelKind::kTorn, "4:0:g1.0", trace_, fr).ok());
}

TEST_F(ModelTest, ATornAppendLeavesZerosOrAShorterFile) {
  auto f = create("f");
  sync_dir(".");
  write(*f, 0, "AAAA");
  sync(*f);
  write(*f, 4, "yyyyyyyy");  // sectors 1 and 2 of 4 bytes, past the old end
  const Frontier fr = at_end();
  auto tail_only = decode_choice(ModelKind::kTorn, "4:2", trace_, fr);
  auto head_only = decode_choice(ModelKind::kTorn, "4:1", trace_, fr);
  ASSERT_TRUE(tail_only.ok() && head_only.ok());
  EXPECT_EQ(file_text(image(ModelKind::kTorn, fr, *tail_only), "f"), std::string("AAAA\0\0\0\0yyyy", 12));
  EXPECT_EQ(file_text(image(ModelKind::kTorn, fr, *head_only), "f"), "AAAAyyyy");
}

TEST_F(ModelTest, TornSamplesWhenThereAreTooManySectors) {
  auto f = create("f");
  sync_dir(".");
  sync(*f);
  write(*f, 0, std::string(64, 'z'));  // 16 sectors of 4 bytes
  const Frontier fr = at_end();
  const ModelConfig config{.kind = ModelKind::kTorn, .samples_per_point = 16, .sector_size = 4, .seed = 3};
  EXPECT_TRUE(samples_at(config, trace_, fr));
  const std::vector<Choice> choices = choices_at(config, trace_, fr);
  EXPECT_EQ(choices.size(), 16u);
  for (const Choice& c : choices) {
    const std::string text = encode_choice(config.kind, c);
    const auto back = decode_choice(config.kind, text, trace_, fr);
    ASSERT_TRUE(back.ok()) << text;
    EXPECT_EQ(encode_choice(config.kind, *back), text);
  }
}

TEST_F(ModelTest, AFileWhoseEntryWasNeverSyncedDisappears) {
  auto f = create("f");
  write(*f, 0, "data");
  sync(*f);
  EXPECT_EQ(file_text(image(ModelKind::kLoseUnsynced, at_end()), "f"), "<absent>");
  EXPECT_EQ(file_text(image(ModelKind::kProcessCrash, at_end()), "f"), "data");
  EXPECT_EQ(file_text(image(ModelKind::kLoseUnsynced, at_end({.creations_durable = true})), "f"), "data");
  sync_dir(".");
  EXPECT_EQ(file_text(image(ModelKind::kLoseUnsynced, at_end()), "f"), "data");
}

TEST_F(ModelTest, RenamesAndRemovalsNeedASyncOfTheirDirectory) {
  auto f = create("tmp");
  write(*f, 0, "new");
  sync(*f);
  sync_dir(".");
  ASSERT_TRUE(rec_.rename("tmp", "f").ok());
  DiskImage img = image(ModelKind::kLoseUnsynced, at_end({.creations_durable = true}));
  EXPECT_EQ(file_text(img, "tmp"), "new");
  EXPECT_EQ(file_text(img, "f"), "<absent>");
  sync_dir(".");
  img = image(ModelKind::kLoseUnsynced, at_end());
  EXPECT_EQ(file_text(img, "tmp"), "<absent>");
  EXPECT_EQ(file_text(img, "f"), "new");
  ASSERT_TRUE(rec_.remove("f").ok());
  EXPECT_EQ(file_text(image(ModelKind::kLoseUnsynced, at_end()), "f"), "new");
  EXPECT_EQ(file_text(image(ModelKind::kProcessCrash, at_end()), "f"), "<absent>");
}

TEST_F(ModelTest, ReorderPersistsAnUncoveredCreationOrNot) {
  auto f = create("f");
  write(*f, 0, "data");
  sync(*f);  // contents durable, directory entry not
  const Frontier fr = at_end();
  ASSERT_EQ(fr.pending_namespace.size(), 1u);
  EXPECT_EQ(fr.pending_namespace[0].index, 0u);
  EXPECT_EQ(fr.pending_namespace[0].dirs, std::set<std::string>{"."});
  const ModelConfig config{.kind = ModelKind::kReorder};
  EXPECT_EQ(allowed_states(config, trace_, fr), 2);
  EXPECT_THAT(contents_of_every_state(config, fr, "f"), UnorderedElementsAreArray({"<absent>", "data"}));
  EXPECT_TRUE(fr.namespace_with(trace_, [](uint64_t) { return false; }).names.empty());
}

// A rename no sync_dir covered may reach the disk while a later write to
// another file does, or not, and the other way round.
TEST_F(ModelTest, ReorderReordersARenameWithALaterWriteToAnotherFile) {
  auto a = create("a");
  auto tmp = create("tmp");
  sync_dir(".");
  write(*tmp, 0, "new");
  sync(*tmp);
  ASSERT_TRUE(rec_.rename("tmp", "b").ok());
  write(*a, 0, "later");
  const Frontier fr = at_end();
  const ModelConfig config{.kind = ModelKind::kReorder};
  std::set<std::string> states;
  for (const Choice& c : choices_at(config, trace_, fr)) {
    const DiskImage img = image(config.kind, fr, c);
    states.insert(file_text(img, "tmp") + "|" + file_text(img, "b") + "|" + file_text(img, "a"));
  }
  EXPECT_EQ(states, (std::set<std::string>{"new|<absent>|", "<absent>|new|", "new|<absent>|later",
                                           "<absent>|new|later"}));
  const auto renamed_only = decode_choice(ModelKind::kReorder, "1", trace_, fr);
  ASSERT_TRUE(renamed_only.ok()) << renamed_only.status().to_string();
  EXPECT_EQ(file_text(image(ModelKind::kReorder, fr, *renamed_only), "b"), "new");
  EXPECT_EQ(file_text(image(ModelKind::kLoseUnsynced, fr), "tmp"), "new");  // lose-unsynced: neither
}

// Namespace changes persist in issue order (a journaling file system commits
// its metadata in order): the second creation never without the first.
TEST_F(ModelTest, ReorderKeepsNamespaceChangesInIssueOrder) {
  auto x = create("x");
  auto y = create("y");
  const Frontier fr = at_end();
  const ModelConfig config{.kind = ModelKind::kReorder};
  EXPECT_EQ(allowed_states(config, trace_, fr), 3);
  std::set<std::string> states;
  for (const Choice& c : choices_at(config, trace_, fr)) {
    const DiskImage img = image(config.kind, fr, c);
    states.insert(file_text(img, "x") + "|" + file_text(img, "y"));
  }
  EXPECT_EQ(states, (std::set<std::string>{"<absent>|<absent>", "|<absent>", "|"}));
  const auto out_of_order = decode_choice(ModelKind::kReorder, "2", trace_, fr);
  ASSERT_FALSE(out_of_order.ok());
  EXPECT_THAT(out_of_order.status().message(), ::testing::HasSubstr("issue order"));
  // Sampling keeps the order too.
  const ModelConfig sampled{.kind = ModelKind::kReorder, .enumerate_bound = 1, .samples_per_point = 16};
  for (const Choice& c : choices_at(sampled, trace_, fr)) {
    EXPECT_FALSE(c.persisted[1].all() && c.persisted[0].none()) << encode_choice(sampled.kind, c);
  }
}

// A rename is one journal transaction: a sync_dir of either of its
// directories makes it durable whole (the old name gone, the new one there);
// a walker resumed from a frontier before that sync keeps it pending.
TEST_F(ModelTest, ARenameBecomesDurableWithASyncOfEitherDirectory) {
  for (const bool source_first : {true, false}) {
    SCOPED_TRACE(source_first ? "sync of the source directory" : "sync of the destination directory");
    vfs::MemVfs mem;
    RecordingVfs rec(mem);
    ASSERT_TRUE(rec.create_dir("d").ok());
    ASSERT_TRUE(rec.create_dir("e").ok());
    ASSERT_TRUE(rec.sync_dir(".").ok());
    auto f = rec.open("d/f", vfs::OpenMode::kCreate);
    ASSERT_TRUE(f.ok() && testing::write_text(**f, 0, "x").ok() && (*f)->sync().ok());
    ASSERT_TRUE(rec.sync_dir("d").ok());
    ASSERT_TRUE(rec.rename("d/f", "e/f").ok());
    const uint64_t before_sync = rec.trace().ops.size();
    ASSERT_TRUE(rec.sync_dir(source_first ? "d" : "e").ok());
    const Trace trace = rec.trace();
    const std::vector<Frontier> fr = frontiers_at(trace, {}, {before_sync, trace.ops.size()});
    ASSERT_EQ(fr[0].pending_namespace.size(), 1u);
    EXPECT_EQ(fr[0].pending_namespace[0].dirs, (std::set<std::string>{"d", "e"}));
    EXPECT_TRUE(fr[1].pending_namespace.empty());
    const auto img = build_image(ModelKind::kLoseUnsynced, trace, fr[1], {});
    ASSERT_TRUE(img.ok());
    EXPECT_EQ(file_text(*img, "e/f"), "x");
    EXPECT_EQ(file_text(*img, "d/f"), "<absent>");
    TimelineWalker resumed(trace, {}, fr[0]);
    resumed.advance_to(trace.ops.size());
    EXPECT_TRUE(resumed.frontier().pending_namespace.empty());
  }
}

TEST_F(ModelTest, FilesInADirectoryWhoseOwnEntryIsNotDurableDisappear) {
  ASSERT_TRUE(rec_.create_dir("d").ok());
  auto f = create("d/f");
  write(*f, 0, "x");
  sync(*f);
  sync_dir("d");
  DiskImage img = image(ModelKind::kLoseUnsynced, at_end());
  EXPECT_EQ(file_text(img, "d/f"), "<absent>");
  EXPECT_FALSE(img.dirs.contains("d"));
  sync_dir(".");
  img = image(ModelKind::kLoseUnsynced, at_end());
  EXPECT_EQ(file_text(img, "d/f"), "x");
  EXPECT_TRUE(img.dirs.contains("d"));
}

TEST_F(ModelTest, TruncateIsDurableAfterTheNextSync) {
  auto f = create("f");
  sync_dir(".");
  write(*f, 0, "abcdef");
  sync(*f);
  ASSERT_TRUE(f->truncate(2).ok());
  EXPECT_EQ(file_text(image(ModelKind::kLoseUnsynced, at_end()), "f"), "abcdef");
  EXPECT_THAT(contents_of_every_state({.kind = ModelKind::kReorder}, at_end(), "f"),
              UnorderedElementsAreArray({"abcdef", "ab"}));
  sync(*f);
  EXPECT_EQ(file_text(image(ModelKind::kLoseUnsynced, at_end()), "f"), "ab");
}

TEST_F(ModelTest, WritesThroughARenamedHandleFollowTheFile) {
  auto f = create("a");
  sync_dir(".");
  ASSERT_TRUE(rec_.rename("a", "b").ok());
  sync_dir(".");
  write(*f, 0, "moved");
  sync(*f);
  EXPECT_EQ(file_text(image(ModelKind::kLoseUnsynced, at_end()), "b"), "moved");
}

TEST_F(ModelTest, MediaFaultsChangeExactlyWhatTheyName) {
  auto f = create("f");
  sync_dir(".");
  write(*f, 0, std::string("\x10\x20\x30\x40\x50\x60\x70\x80", 8));
  sync(*f);
  const Frontier fr = at_end();
  auto corrupted = [&](const std::string& choice) {
    const auto c = decode_choice(ModelKind::kCorrupt, choice, trace_, fr);
    EXPECT_TRUE(c.ok()) << c.status().to_string();
    return c.ok() ? file_text(image(ModelKind::kCorrupt, fr, *c), "f") : std::string();
  };
  EXPECT_EQ(corrupted("4:bit-flip:1:0:-:f"), std::string("\x10\x21\x30\x40\x50\x60\x70\x80", 8));
  EXPECT_EQ(corrupted("4:swap-bytes:0:2:-:f"), std::string("\x30\x20\x10\x40\x50\x60\x70\x80", 8));
  EXPECT_EQ(corrupted("4:compensate:0:1:-:f"), std::string("\x11\x1f\x30\x40\x50\x60\x70\x80", 8));
  EXPECT_EQ(corrupted("4:zero-sector:5:0:some-region:f"), std::string("\x10\x20\x30\x40\0\0\0\0", 8));
  const std::string garbage = corrupted("4:garbage-sector:1:99:-:f");
  EXPECT_NE(garbage.substr(0, 4), std::string("\x10\x20\x30\x40", 4));
  EXPECT_EQ(garbage.substr(4), std::string("\x50\x60\x70\x80", 4));
  const auto outside = decode_choice(ModelKind::kCorrupt, "4:bit-flip:8:0:-:f", trace_, fr);
  ASSERT_TRUE(outside.ok());
  EXPECT_FALSE(build_image(ModelKind::kCorrupt, trace_, fr, *outside).ok());
  for (const char* bad : {"4:bit-flip:1:0:f", "4:lost-write:0:3:-:f", "4:misdirected-write:0:3.4:-:f", "4:bit-flip:x:0:-:f"}) {
    EXPECT_FALSE(decode_choice(ModelKind::kCorrupt, bad, trace_, fr).ok()) << bad;
  }
}

// A lost write brings back what the bytes held before it; a misdirected one
// also lands on another place. A later durable write still lands where it
// was meant to, and the state id round-trips.
TEST_F(ModelTest, WriteFaultsPutADurableWriteInTheWrongPlace) {
  auto f = create("f");                      // 0
  sync_dir(".");                             // 1
  write(*f, 0, "AAAABBBBCCCC");               // 2
  sync(*f);                                  // 3
  write(*f, 0, "aaaabbbb");                   // 4: rewrites the first two "pages"
  sync(*f);                                  // 5
  write(*f, 0, "1");                          // 6: a later write over part of it
  sync(*f);                                  // 7
  const Frontier fr = at_end();
  auto corrupted = [&](const std::string& choice) {
    const auto c = decode_choice(ModelKind::kCorrupt, choice, trace_, fr);
    EXPECT_TRUE(c.ok()) << c.status().to_string();
    if (!c.ok()) return std::string();
    EXPECT_EQ(encode_choice(ModelKind::kCorrupt, *c), choice);
    return file_text(image(ModelKind::kCorrupt, fr, *c), "f");
  };
  EXPECT_EQ(file_text(image(ModelKind::kLoseUnsynced, fr), "f"), "1aaabbbbCCCC");
  EXPECT_EQ(corrupted("4:lost-write:0:4.8:-:f"), "1AAABBBBCCCC");
  EXPECT_EQ(corrupted("4:lost-write:4:4.4:data-page:f"), "1aaaBBBBCCCC");
  EXPECT_EQ(corrupted("4:misdirected-write:4:4.4.8:data-page:f"), "1aaaBBBBbbbb");
  EXPECT_EQ(corrupted("4:misdirected-write:0:4.4.4:-:f"), "1AAAaaaaCCCC");
  // Not a write to f, not durable yet, or a part outside the write.
  for (const char* bad : {"4:lost-write:0:5.4:-:f", "4:lost-write:8:4.8:-:f", "4:misdirected-write:0:4.4.10:-:f"}) {
    const auto c = decode_choice(ModelKind::kCorrupt, bad, trace_, fr);
    ASSERT_TRUE(c.ok()) << bad;
    EXPECT_FALSE(build_image(ModelKind::kCorrupt, trace_, fr, *c).ok()) << bad;
  }
  write(*f, 0, "zz");  // 8: pending, not durable
  const Frontier later = at_end();
  const auto pending = decode_choice(ModelKind::kCorrupt, "4:lost-write:0:8.2:-:f", trace_, later);
  ASSERT_TRUE(pending.ok());
  EXPECT_FALSE(build_image(ModelKind::kCorrupt, trace_, later, *pending).ok());
}

TEST_F(ModelTest, CorruptSamplesEveryFaultKindInDurableFiles) {
  auto f = create("f");
  sync_dir(".");
  write(*f, 0, std::string(2048, 'q'));
  write(*f, 2048, std::string(2048, 'r'));
  sync(*f);
  const Frontier fr = at_end();
  const ModelConfig config{.kind = ModelKind::kCorrupt, .faults_per_point = 10};
  std::set<FaultKind> kinds;
  for (const Choice& c : choices_at(config, trace_, fr)) {
    ASSERT_TRUE(c.fault.has_value());
    EXPECT_EQ(c.fault->path, "f");
    kinds.insert(c.fault->kind);
    EXPECT_TRUE(c.fault->region.empty());
    EXPECT_TRUE(build_image(config.kind, trace_, fr, c).ok());
  }
  EXPECT_EQ(kinds.size(), static_cast<size_t>(kFaultKinds));
}

// With regions, every (region kind, fault kind) pair gets a fault inside a
// region of that kind, however small its share of the bytes.
TEST_F(ModelTest, CorruptAimsEveryFaultKindAtEveryRegionKind) {
  auto f = create("f");
  sync_dir(".");
  // Bytes that differ from their neighbours, so that every swap changes something.
  auto varied = [](size_t n, char base) {
    std::string s(n, base);
    for (size_t i = 0; i < n; ++i) s[i] = static_cast<char>(base + i % 23);
    return s;
  };
  write(*f, 0, varied(40, 'A'));
  write(*f, 40, varied(8192, 'a'));
  sync(*f);
  write(*f, 40 + 4096, varied(4096, 'b'));
  sync(*f);
  const Frontier fr = at_end();
  FaultTargets targets;
  targets.regions = {{"f", 0, 40, "header"}, {"f", 40, 4096, "page"}, {"f", 40 + 4096, 4096, "page"}};
  const ModelConfig config{.kind = ModelKind::kCorrupt, .faults_per_point = 3};
  std::set<std::pair<std::string, FaultKind>> cells;
  for (const Choice& c : choices_at(config, trace_, fr, targets)) {
    ASSERT_TRUE(c.fault.has_value());
    const MediaFault& fault = *c.fault;
    cells.emplace(fault.region, fault.kind);
    const uint64_t begin = fault.region == "header" ? 0 : 40;
    const uint64_t end = fault.region == "header" ? 40 : 40 + 8192;
    EXPECT_GE(fault.offset, begin) << describe_fault(fault);
    EXPECT_LT(fault.offset, end) << describe_fault(fault);
    if (fault.kind == FaultKind::kSwapBytes || fault.kind == FaultKind::kCompensate) {
      EXPECT_LT(fault.offset + fault.param, end) << describe_fault(fault);
    }
    if (fault.kind == FaultKind::kLostWrite && fault.region == "page" && fault.offset == 40 + 4096) {
      EXPECT_EQ(trace_.ops[fault.op].length(), 4096u) << "the latest write of the page is the one lost";
    }
    if (fault.kind == FaultKind::kMisdirectedWrite && fault.region == "page") {
      EXPECT_EQ(fault.target, fault.offset == 40 ? 40 + 4096 : 40u) << "it lands on the other page";
    }
    auto damaged = build_image(config.kind, trace_, fr, c);
    ASSERT_TRUE(damaged.ok()) << describe_fault(fault) << ": " << damaged.status().to_string();
    EXPECT_NE(file_text(*damaged, "f"), file_text(image(ModelKind::kLoseUnsynced, fr), "f")) << describe_fault(fault);
  }
  EXPECT_EQ(cells.size(), 2u * kFaultKinds);
}

TEST_F(ModelTest, MarkersSetTheExpectationAndCanonicalPointsSkipThem) {
  auto f = create("f");
  rec_.mark(OpKind::kCommitCalled, 0);
  write(*f, 0, "x");
  sync(*f);
  rec_.mark(OpKind::kCommitAcked, 0);
  rec_.mark(OpKind::kCommitCalled, 1);
  trace_ = rec_.trace();
  EXPECT_EQ(trace_.canonical_points(), (std::vector<uint64_t>{0, 2, 3, 6}));
  const std::vector<Frontier> fs = frontiers_at(trace_, {}, {2, 3, 6});
  EXPECT_EQ(fs[0].expect, (Expectation{0, true}));
  EXPECT_EQ(fs[1].expect, (Expectation{0, true}));
  EXPECT_EQ(fs[2].expect, (Expectation{1, true}));
}

TEST_F(ModelTest, DurableAtNamesTheCoveringBarrier) {
  auto f = create("f");        // 0
  write(*f, 0, "x");           // 1
  sync(*f);                    // 2
  sync_dir(".");               // 3
  write(*f, 0, "y");           // 4
  trace_ = rec_.trace();
  EXPECT_EQ(durable_at(trace_, {}), (std::vector<uint64_t>{3, 2, kNever, kNever, kNever}));
  EXPECT_EQ(durable_at(trace_, {.creations_durable = true})[0], 0u);
}

}  // namespace
}  // namespace crashsim
