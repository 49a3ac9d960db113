// Must compile with TFE_COMPILE_FAIL=0 and must NOT compile with TFE_COMPILE_FAIL=1: a storage policy
// without for_each (which the engine calls) is rejected by the policy set's static_assert, not deep
// inside the engine.
#include <tfe/tfe.hpp>

#include <string>
#include <string_view>
#include <utility>

// memory_storage's interface, forwarded, with for_each only when TFE_COMPILE_FAIL is 0.
class partial_storage {
 public:
  template <class T>
  const T* find(tfe::entity_tag<T> t, const tfe::entity_key_t<T>& k) const noexcept {
    return inner_.find(t, k);
  }
  template <class T>
  tfe::result<void> insert(T&& v) {
    return inner_.insert(std::forward<T>(v));
  }
  template <class T, class F>
  tfe::result<void> update(tfe::entity_tag<T> t, const tfe::entity_key_t<T>& k, F&& fn) {
    return inner_.update(t, k, std::forward<F>(fn));
  }
  template <class T>
  tfe::result<void> erase(tfe::entity_tag<T> t, const tfe::entity_key_t<T>& k) {
    return inner_.erase(t, k);
  }
  template <class T>
  std::size_t size(tfe::entity_tag<T> t) const noexcept {
    return inner_.size(t);
  }
#if !TFE_COMPILE_FAIL
  template <class T, class F>
  void for_each(tfe::entity_tag<T> t, F&& fn) const {
    inner_.for_each(t, std::forward<F>(fn));
  }
#endif
  tfe::result<void> put_blob(std::string_view k, std::string b) { return inner_.put_blob(k, std::move(b)); }
  const std::string* get_blob(std::string_view k) const noexcept { return inner_.get_blob(k); }
  tfe::result<void> erase_blob(std::string_view k) { return inner_.erase_blob(k); }
  tfe::result<void> clear() { return inner_.clear(); }

 private:
  tfe::memory_storage inner_;
};

struct partial_policies : tfe::test_policies {
  using storage_type = partial_storage;
};

int main() {
  tfe::basic_engine<partial_policies> e;
  return e.list_organizations()->items.empty() ? 0 : 1;
}
