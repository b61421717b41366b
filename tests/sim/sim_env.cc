#include "tests/sim/sim_env.h"

#include <algorithm>

namespace consentd::sim {

class SimEnv::File final : public node::WritableFile {
 public:
  File(SimEnv* env, std::string path, InodePtr inode)
      : env_(env), path_(std::move(path)), inode_(std::move(inode)), life_(env->life_) {}

  Status Append(std::string_view data) override {
    CONSENTD_RETURN_IF_ERROR(Check("append"));
    inode_->data.append(data);
    return Status::Ok();
  }
  Status Sync() override {
    CONSENTD_RETURN_IF_ERROR(Check("fsync"));
    return env_->SyncInode(inode_, path_);
  }
  Status Truncate(std::uint64_t size) override {
    CONSENTD_RETURN_IF_ERROR(Check("truncate"));
    inode_->data.resize(static_cast<std::size_t>(size), '\0');
    return Status::Ok();
  }
  std::uint64_t size() const override { return inode_->data.size(); }

 private:
  Status Check(const std::string& what) {
    if (life_ != env_->life_) {
      return Status::Error(Reason::kFileWrite, what + " " + path_ + ": opened before a crash");
    }
    return env_->Mutate(what, path_);
  }

  SimEnv* env_;
  std::string path_;
  InodePtr inode_;
  std::uint64_t life_;
};

SimEnv::SimEnv(std::uint64_t seed, std::int64_t start_ms) : rng_(seed), start_ms_(start_ms) {}

Status SimEnv::Mutate(const std::string& what, const std::string& path) {
  if (ops_left_) {
    if (*ops_left_ == 0) {
      ++faults_struck_;
      return Status::Error(Reason::kFileWrite, what + " " + path + ": the power is off");
    }
    --*ops_left_;
  }
  ++mutating_ops_;
  return Status::Ok();
}

Status SimEnv::SyncInode(const InodePtr& inode, const std::string& path) {
  if (failing_syncs_ > 0) {
    --failing_syncs_;
    ++faults_struck_;
    return Status::Error(Reason::kFileWrite, "fsync " + path + ": Input/output error (simulated)");
  }
  inode->durable = inode->data;
  return Status::Ok();
}

bool SimEnv::FileExists(const std::string& path) { return names_.count(path) > 0; }

Result<std::string> SimEnv::ReadFile(const std::string& path, std::size_t max_bytes) {
  if (power_cut()) {
    ++faults_struck_;
    return Status::Error(Reason::kFileRead, path + ": the power is off");
  }
  const auto it = names_.find(path);
  if (it == names_.end()) return Status::Error(Reason::kFileNotFound, path + ": no such file");
  std::string data = it->second->data;
  if (data.size() > max_bytes) {
    return Status::Error(Reason::kFileTooLarge,
                         path + " exceeds " + std::to_string(max_bytes) + " bytes");
  }
  if (corrupt_reads_.erase(path) > 0 && !data.empty()) {
    const std::size_t at = rng_.Below(data.size());
    data[at] = static_cast<char>(data[at] ^ static_cast<char>(1u << rng_.Below(8)));
  }
  return data;
}

Result<std::unique_ptr<node::WritableFile>> SimEnv::OpenAppendable(const std::string& path,
                                                                   mode_t /*mode*/) {
  auto it = names_.find(path);
  if (it == names_.end()) {
    CONSENTD_RETURN_IF_ERROR(Mutate("create", path));
    it = names_.emplace(path, std::make_shared<Inode>()).first;
    journal_.push_back(NameOp{path, "", it->second});
  } else if (power_cut()) {
    return Status::Error(Reason::kFileWrite, "open " + path + ": the power is off");
  }
  return std::unique_ptr<node::WritableFile>(new File(this, path, it->second));
}

Result<std::unique_ptr<node::WritableFile>> SimEnv::CreateFile(const std::string& path,
                                                               mode_t /*mode*/) {
  CONSENTD_RETURN_IF_ERROR(Mutate("create", path));
  auto it = names_.find(path);
  if (it == names_.end()) {
    it = names_.emplace(path, std::make_shared<Inode>()).first;
    journal_.push_back(NameOp{path, "", it->second});
  } else {
    it->second->data.clear();  // O_TRUNC: the same file, emptied (not durable until a sync)
  }
  return std::unique_ptr<node::WritableFile>(new File(this, path, it->second));
}

Status SimEnv::Rename(const std::string& from, const std::string& to) {
  CONSENTD_RETURN_IF_ERROR(Mutate("rename", from));
  const auto it = names_.find(from);
  if (it == names_.end())
    return Status::Error(Reason::kFileWrite, "rename " + from + ": no such file");
  InodePtr inode = it->second;
  names_.erase(it);
  names_[to] = inode;
  journal_.push_back(NameOp{to, from, std::move(inode)});
  return Status::Ok();
}

namespace {
class StringFile final : public node::SequentialFile {
 public:
  explicit StringFile(std::string data) : data_(std::move(data)) {}
  Result<std::size_t> Read(char* buf, std::size_t n) override {
    const std::size_t got = std::min(n, data_.size() - at_);
    data_.copy(buf, got, at_);
    at_ += got;
    return got;
  }

 private:
  std::string data_;
  std::size_t at_ = 0;
};
}  // namespace

Result<std::unique_ptr<node::SequentialFile>> SimEnv::OpenSequential(const std::string& path) {
  CONSENTD_ASSIGN_OR_RETURN(std::string data, ReadFile(path, std::string().max_size()));
  return std::unique_ptr<node::SequentialFile>(new StringFile(std::move(data)));
}

Status SimEnv::CreateDirs(const std::string& path) { return Mutate("mkdir", path); }

Status SimEnv::RemoveTree(const std::string& path) {
  CONSENTD_RETURN_IF_ERROR(Mutate("remove", path));
  const std::string under = path + "/";
  for (auto it = names_.begin(); it != names_.end();) {
    if (it->first == path || it->first.compare(0, under.size(), under) == 0) {
      journal_.push_back(NameOp{"", it->first, nullptr});
      it = names_.erase(it);
    } else {
      ++it;
    }
  }
  return Status::Ok();
}

Result<std::unique_ptr<node::Thread>> SimEnv::StartThread(std::string name,
                                                          std::function<void()> /*body*/) {
  return Status::Error(Reason::kThreadStart, "the simulation runs on one thread (" + name + ")");
}

Status SimEnv::RemoveFile(const std::string& path) {
  CONSENTD_RETURN_IF_ERROR(Mutate("remove", path));
  if (names_.erase(path) > 0) journal_.push_back(NameOp{"", path, nullptr});
  return Status::Ok();
}

Status SimEnv::SyncDir(const std::string& dir) {
  CONSENTD_RETURN_IF_ERROR(Mutate("fsync directory", dir));
  if (failing_syncs_ > 0) {
    --failing_syncs_;
    ++faults_struck_;
    return Status::Error(Reason::kFileWrite,
                         "fsync directory " + dir + ": Input/output error (simulated)");
  }
  // The file system commits its metadata journal as a whole (ext4, XFS): every name
  // operation so far becomes durable, in whatever directory.
  for (const NameOp& op : journal_) Apply(op, &durable_names_);
  journal_.clear();
  return Status::Ok();
}

void SimEnv::Apply(const NameOp& op, std::map<std::string, InodePtr>* names) {
  if (!op.from.empty()) names->erase(op.from);
  if (!op.to.empty()) (*names)[op.to] = op.inode;
}

void SimEnv::Crash() {
  // Name operations reach the disk in order, each whole (a rename is atomic): some prefix of
  // those not yet committed survives.
  const std::size_t kept_ops = static_cast<std::size_t>(rng_.Below(journal_.size() + 1));
  std::map<std::string, InodePtr> after = durable_names_;
  for (std::size_t i = 0; i < kept_ops; ++i) Apply(journal_[i], &after);
  journal_.clear();
  std::set<const Inode*> settled;
  for (auto& [p, inode] : after) {
    if (!settled.insert(inode.get()).second) continue;
    Inode& f = *inode;
    if (f.data != f.durable) {
      if (f.data.size() > f.durable.size() && f.data.compare(0, f.durable.size(), f.durable) == 0) {
        // Appended since the last sync: all, none or a prefix of it reached the disk.
        const std::size_t extra = f.data.size() - f.durable.size();
        f.data.resize(f.durable.size() + rng_.Below(extra + 1));
      } else if (rng_.Below(2) == 0) {
        f.data = f.durable;  // cut or rewritten since: either version may be on the disk
      }
    }
    f.durable = f.data;
  }
  names_ = after;
  durable_names_ = std::move(after);
  ++life_;
  ++crashes_;
  ops_left_.reset();
  failing_syncs_ = 0;
  corrupt_reads_.clear();
}

std::optional<std::string> SimEnv::Peek(const std::string& path) const {
  const auto it = names_.find(path);
  if (it == names_.end()) return std::nullopt;
  return it->second->data;
}

}  // namespace consentd::sim
