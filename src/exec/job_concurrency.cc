#include "exec/job_concurrency.h"

#include <fcntl.h>
#include <poll.h>
#include <sys/eventfd.h>
#include <sys/file.h>
#include <sys/inotify.h>
#include <unistd.h>

#include <cerrno>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <random>

#include "core/fd.h"
#include "core/hash.h"

namespace gauntlet::exec {

struct ConcurrencyGroups::Entry {
  std::string label, id;
  std::string path;  // dir/HASH, without the suffixes
  Fd lock;           // H.lock, open (and flock-ed once held) until the ticket leaves
  bool held = false;
  bool left = false;
};

struct ConcurrencyGroups::GroupState {
  std::string holder, holder_label, pending, cancel;
};

namespace {

bool EndsWith(std::string_view s, std::string_view suffix) {
  return s.size() >= suffix.size() && s.substr(s.size() - suffix.size()) == suffix;
}

// H.meta locked exclusively for the scope: state reads and writes are whole.
class MetaLock {
 public:
  explicit MetaLock(const std::string& path)
      : fd_(::open((path + ".meta").c_str(), O_RDONLY | O_CREAT | O_CLOEXEC, 0644)) {
    // Read-only: closing it is no IN_CLOSE_WRITE, so it wakes nobody.
    if (fd_.valid()) {
      while (::flock(fd_.get(), LOCK_EX) != 0 && errno == EINTR) {
      }
    }
  }
  bool ok() const { return fd_.valid(); }

 private:
  Fd fd_;
};

}  // namespace

ConcurrencyGroups::ConcurrencyGroups(std::string dir, std::function<void()> wake)
    : dir_(std::move(dir)), wake_(std::move(wake)) {
  std::random_device rd;
  id_prefix_ = std::to_string(getpid()) + "-" + std::to_string(rd()) + std::to_string(rd()) + "-";
}

ConcurrencyGroups::~ConcurrencyGroups() {
  for (size_t t = 0; t < entries_.size(); ++t) Leave(static_cast<Ticket>(t));
  if (watcher_.joinable()) {
    uint64_t one = 1;
    (void)!::write(stop_fd_, &one, sizeof one);
    watcher_.join();
  }
  if (inotify_fd_ >= 0) ::close(inotify_fd_);
  if (stop_fd_ >= 0) ::close(stop_fd_);
}

Status ConcurrencyGroups::StartWatcher() {
  if (inotify_fd_ >= 0) return Ok();
  std::error_code ec;
  std::filesystem::create_directories(dir_, ec);
  if (ec) return Error::Errno("creating " + dir_, ec.value());
  inotify_fd_ = inotify_init1(IN_CLOEXEC | IN_NONBLOCK);
  if (inotify_fd_ < 0) return Error::Errno("inotify_init1", errno);
  // Added before any state is read: a change after the read is never missed.
  if (inotify_add_watch(inotify_fd_, dir_.c_str(), IN_CLOSE_WRITE | IN_MOVED_TO) < 0)
    return Error::Errno("watching " + dir_, errno);
  stop_fd_ = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
  if (stop_fd_ < 0) return Error::Errno("eventfd", errno);
  watcher_ = std::thread([this] { Watch(); });
  return Ok();
}

void ConcurrencyGroups::Watch() {
  alignas(inotify_event) char buf[4096];
  while (true) {
    pollfd fds[2] = {{inotify_fd_, POLLIN, 0}, {stop_fd_, POLLIN, 0}};
    if (::poll(fds, 2, -1) < 0) {
      if (errno == EINTR) continue;
      return;
    }
    if (fds[1].revents) return;
    bool relevant = false;
    ssize_t n;
    while ((n = ::read(inotify_fd_, buf, sizeof buf)) > 0) {
      for (char* p = buf; p < buf + n;) {
        auto* ev = reinterpret_cast<inotify_event*>(p);
        std::string_view name = ev->len ? std::string_view(ev->name) : std::string_view();
        // A lock closed (its holder left or died) or a state replaced; not temp files.
        if (((ev->mask & IN_CLOSE_WRITE) && EndsWith(name, ".lock")) ||
            ((ev->mask & IN_MOVED_TO) && EndsWith(name, ".state")) || (ev->mask & IN_Q_OVERFLOW))
          relevant = true;
        p += sizeof(inotify_event) + ev->len;
      }
    }
    if (relevant) {
      changed_ = true;
      wake_();
    }
  }
}

Result<ConcurrencyGroups::GroupState> ConcurrencyGroups::ReadState(const Entry& e) const {
  GroupState s;
  Fd fd(::open((e.path + ".state").c_str(), O_RDONLY | O_CLOEXEC));
  if (!fd.valid()) {
    if (errno == ENOENT) return s;
    return Error::Errno("reading " + e.path + ".state", errno);
  }
  std::string text;
  char buf[1024];
  ssize_t n;
  while ((n = ::read(fd.get(), buf, sizeof buf)) > 0) text.append(buf, static_cast<size_t>(n));
  nlohmann::json j = nlohmann::json::parse(text, nullptr, false);
  if (!j.is_object()) return s;  // written whole by rename: only a foreign file gets here
  s.holder = j.value("holder", "");
  s.holder_label = j.value("holder_label", "");
  s.pending = j.value("pending", "");
  s.cancel = j.value("cancel", "");
  return s;
}

Status ConcurrencyGroups::WriteState(const Entry& e, const GroupState& s) const {
  // The group's name is not written: it may hold a secret (the file is named by its hash).
  nlohmann::json j = {{"holder", s.holder},
                      {"holder_label", s.holder_label},
                      {"pending", s.pending},
                      {"cancel", s.cancel}};
  const std::string text = j.dump() + "\n";
  const std::string tmp = e.path + ".state." + id_prefix_ + "tmp";
  Fd fd(::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644));
  if (!fd.valid()) return Error::Errno("writing " + tmp, errno);
  if (::write(fd.get(), text.data(), text.size()) != static_cast<ssize_t>(text.size()))
    return Error::Errno("writing " + tmp, errno);
  fd = Fd();
  if (::rename(tmp.c_str(), (e.path + ".state").c_str()) != 0)
    return Error::Errno("renaming " + tmp, errno);
  return Ok();
}

Result<ConcurrencyGroups::Ticket> ConcurrencyGroups::Enter(const std::string& group,
                                                           bool cancel_in_progress,
                                                           const std::string& label) {
  if (Status s = StartWatcher(); !s.ok()) return s.error();
  auto e = std::make_unique<Entry>();
  e->label = label;
  e->id = id_prefix_ + std::to_string(entries_.size());
  e->path = dir_ + "/" + HashBytes(group).Hex().substr(0, 24);
  // Kept open while the ticket lives: trying the lock again opens nothing, so a waiter's
  // tries are no events for the others.
  e->lock = Fd(::open((e->path + ".lock").c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644));
  if (!e->lock.valid()) return Error::Errno("opening " + e->path + ".lock", errno);
  MetaLock meta(e->path);
  if (!meta.ok()) return Error::Errno("opening " + e->path + ".meta", errno);
  Result<GroupState> s = ReadState(*e);
  if (!s.ok()) return s.error();
  // A newer job: the one waiting (if any) is replaced, and the holder asked to stop.
  if (cancel_in_progress && !s->holder.empty()) s->cancel = s->holder;
  s->pending = e->id;
  if (::flock(e->lock.get(), LOCK_EX | LOCK_NB) == 0) {
    e->held = true;
    s->pending.clear();
    s->holder = e->id;
    s->holder_label = label;
    s->cancel.clear();
  }
  if (Status w = WriteState(*e, *s); !w.ok()) return w.error();
  entries_.push_back(std::move(e));
  return static_cast<Ticket>(entries_.size() - 1);
}

ConcurrencyGroups::State ConcurrencyGroups::Check(Ticket t) {
  Entry& e = *entries_[static_cast<size_t>(t)];
  if (e.left) return State::kReplaced;
  MetaLock meta(e.path);
  Result<GroupState> s = ReadState(e);
  if (!s.ok()) return e.held ? State::kHeld : State::kWaiting;  // tried again at the next change
  if (e.held) return s->cancel == e.id ? State::kCancelRequested : State::kHeld;
  if (s->pending != e.id) return State::kReplaced;
  if (::flock(e.lock.get(), LOCK_EX | LOCK_NB) != 0) return State::kWaiting;
  e.held = true;
  s->pending.clear();
  s->holder = e.id;
  s->holder_label = e.label;
  s->cancel.clear();
  if (!WriteState(e, *s).ok()) {
    // Others could not learn it holds the group: give it back and keep waiting.
    e.held = false;
    ::flock(e.lock.get(), LOCK_UN);
    return State::kWaiting;
  }
  return State::kHeld;
}

std::string ConcurrencyGroups::Holder(Ticket t) {
  Entry& e = *entries_[static_cast<size_t>(t)];
  MetaLock meta(e.path);
  Result<GroupState> s = ReadState(e);
  return s.ok() ? s->holder_label : "";
}

void ConcurrencyGroups::Leave(Ticket t) {
  Entry& e = *entries_[static_cast<size_t>(t)];
  if (e.left) return;
  e.left = true;
  {
    MetaLock meta(e.path);
    Result<GroupState> s = ReadState(e);
    if (s.ok()) {
      bool changed = false;
      if (s->pending == e.id) s->pending.clear(), changed = true;
      if (s->holder == e.id) s->holder.clear(), s->holder_label.clear(), changed = true;
      if (s->cancel == e.id) s->cancel.clear(), changed = true;
      if (changed) (void)WriteState(e, *s);
    }
  }
  // Closing the lock releases it and is the event that wakes the job waiting for it.
  e.lock = Fd();
  e.held = false;
}

}  // namespace gauntlet::exec
