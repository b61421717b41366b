// The production Env (the operating system) and the helpers every Env shares.

#include "node/env.h"

#include <fcntl.h>
#include <pthread.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <filesystem>
#include <system_error>
#include <thread>

#include "common/file_util.h"

namespace consentd::node {
namespace {

Status Errno(std::string_view what, const std::string& path) {
  return Status::Error(Reason::kFileWrite,
                       std::string(what) + " " + path + ": " + std::strerror(errno));
}

class PosixFile final : public WritableFile {
 public:
  PosixFile(int fd, std::string path, std::uint64_t size)
      : fd_(fd), path_(std::move(path)), size_(size) {}
  ~PosixFile() override { ::close(fd_); }

  Status Append(std::string_view data) override {
    std::size_t done = 0;
    while (done < data.size()) {
      const ssize_t n = ::write(fd_, data.data() + done, data.size() - done);
      if (n < 0) {
        if (errno == EINTR) continue;
        Status error = Errno("write", path_);
        size_ += done;
        return error;
      }
      done += static_cast<std::size_t>(n);
    }
    size_ += data.size();
    return Status::Ok();
  }
  Status Sync() override {
    if (::fdatasync(fd_) != 0) return Errno("fsync", path_);
    return Status::Ok();
  }
  Status Truncate(std::uint64_t size) override {
    if (::ftruncate(fd_, static_cast<off_t>(size)) != 0 ||
        ::lseek(fd_, static_cast<off_t>(size), SEEK_SET) < 0) {
      return Errno("truncate", path_);
    }
    size_ = size;
    return Status::Ok();
  }
  std::uint64_t size() const override { return size_; }

 private:
  int fd_;
  std::string path_;
  std::uint64_t size_;
};

class PosixSequentialFile final : public SequentialFile {
 public:
  PosixSequentialFile(int fd, std::string path) : fd_(fd), path_(std::move(path)) {}
  ~PosixSequentialFile() override { ::close(fd_); }
  Result<std::size_t> Read(char* buf, std::size_t n) override {
    for (;;) {
      const ssize_t got = ::read(fd_, buf, n);
      if (got >= 0) return static_cast<std::size_t>(got);
      if (errno != EINTR) {
        return Status::Error(Reason::kFileRead, "read " + path_ + ": " + std::strerror(errno));
      }
    }
  }

 private:
  int fd_;
  std::string path_;
};

class PosixThread final : public Thread {
 public:
  explicit PosixThread(std::thread thread) : thread_(std::move(thread)) {}
  ~PosixThread() override { PosixThread::Join(); }
  void Join() override {
    if (thread_.joinable() && !IsCurrent()) thread_.join();
  }
  bool IsCurrent() const override { return thread_.get_id() == std::this_thread::get_id(); }

 private:
  std::thread thread_;
};

class PosixEnv final : public Env {
 public:
  std::int64_t NowMs() override {
    return std::chrono::duration_cast<std::chrono::milliseconds>(
               std::chrono::system_clock::now().time_since_epoch())
        .count();
  }
  std::int64_t MonotonicMs() override {
    return std::chrono::duration_cast<std::chrono::milliseconds>(
               std::chrono::steady_clock::now().time_since_epoch())
        .count();
  }
  bool FileExists(const std::string& path) override { return ::access(path.c_str(), F_OK) == 0; }
  Result<std::string> ReadFile(const std::string& path, std::size_t max_bytes) override {
    if (::access(path.c_str(), F_OK) != 0 && errno == ENOENT) {
      return Status::Error(Reason::kFileNotFound, path + ": no such file");
    }
    return consentd::ReadFile(path, max_bytes);
  }
  Result<std::unique_ptr<WritableFile>> OpenAppendable(const std::string& path,
                                                       mode_t mode) override {
    return Open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, mode);
  }
  Result<std::unique_ptr<WritableFile>> CreateFile(const std::string& path, mode_t mode) override {
    return Open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
  }
  Result<std::unique_ptr<SequentialFile>> OpenSequential(const std::string& path) override {
    const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
      if (errno == ENOENT) return Status::Error(Reason::kFileNotFound, path + ": no such file");
      return Status::Error(Reason::kFileRead, "open " + path + ": " + std::strerror(errno));
    }
    return std::unique_ptr<SequentialFile>(new PosixSequentialFile(fd, path));
  }
  Status CreateDirs(const std::string& path) override {
    std::error_code ec;
    std::filesystem::create_directories(path, ec);
    if (ec) return Status::Error(Reason::kFileWrite, "mkdir " + path + ": " + ec.message());
    return Status::Ok();
  }
  Status RemoveTree(const std::string& path) override {
    std::error_code ec;
    std::filesystem::remove_all(path, ec);
    if (ec) return Status::Error(Reason::kFileWrite, "remove " + path + ": " + ec.message());
    return Status::Ok();
  }
  Result<std::unique_ptr<Thread>> StartThread(std::string name,
                                              std::function<void()> body) override {
    try {
      std::thread t([short_name = name.substr(0, 15), body = std::move(body)] {
        // The kernel keeps 15 characters of a thread's name.
        ::pthread_setname_np(::pthread_self(), short_name.c_str());
        body();
      });
      return std::unique_ptr<Thread>(new PosixThread(std::move(t)));
    } catch (const std::system_error& e) {
      return Status::Error(Reason::kThreadStart, "cannot start thread " + name + ": " + e.what());
    }
  }
  Status Rename(const std::string& from, const std::string& to) override {
    if (::rename(from.c_str(), to.c_str()) != 0) return Errno("rename", from);
    return Status::Ok();
  }
  Status RemoveFile(const std::string& path) override {
    if (::unlink(path.c_str()) != 0 && errno != ENOENT) return Errno("remove", path);
    return Status::Ok();
  }
  Status SyncDir(const std::string& dir) override { return SyncDirectory(dir); }

 private:
  static Result<std::unique_ptr<WritableFile>> Open(const std::string& path, int flags,
                                                    mode_t mode) {
    const int fd = ::open(path.c_str(), flags, mode);
    if (fd < 0) return Errno("open", path);
    // The mode argument is filtered by the umask; set it exactly.
    struct stat st {};
    if (::fchmod(fd, mode) != 0 || ::fstat(fd, &st) != 0) {
      Status error = Errno("open", path);
      ::close(fd);
      return error;
    }
    return std::unique_ptr<WritableFile>(
        new PosixFile(fd, path, static_cast<std::uint64_t>(st.st_size)));
  }
};

}  // namespace

Env* Env::Default() {
  static Env* env = new PosixEnv();  // the one process-wide Env; never destroyed
  return env;
}

Status WriteFileAtomic(Env* env, const std::string& path, std::string_view data, mode_t mode,
                       AtomicWriteOrder order) {
  const std::string tmp = path + ".tmp";
  {
    CONSENTD_ASSIGN_OR_RETURN(std::unique_ptr<WritableFile> file, env->CreateFile(tmp, mode));
    CONSENTD_RETURN_IF_ERROR(file->Append(data));
    if (order != AtomicWriteOrder::kNoFileSync) CONSENTD_RETURN_IF_ERROR(file->Sync());
  }
  CONSENTD_RETURN_IF_ERROR(env->Rename(tmp, path));
  if (order == AtomicWriteOrder::kNoDirSync) return Status::Ok();
  return env->SyncDir(DirName(path));
}

}  // namespace consentd::node
