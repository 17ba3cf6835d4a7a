#include "store/count_merge_operator.h"

#include <string>
#include <string_view>

#include "store/coding.h"

namespace pretokdb {

namespace {

bool Decode(const rocksdb::Slice& s, uint64_t* v) {
  return DecodeFixed64Value(std::string_view(s.data(), s.size()), v);
}

class CountMergeOperator : public rocksdb::MergeOperator {
 public:
  const char* Name() const override { return "pretokdb.CountMergeOperator"; }

  bool FullMergeV2(const MergeOperationInput& in,
                   MergeOperationOutput* out) const override {
    uint64_t sum = 0;
    if (in.existing_value != nullptr && !Decode(*in.existing_value, &sum)) {
      return false;
    }
    for (const rocksdb::Slice& operand : in.operand_list) {
      uint64_t v;
      if (!Decode(operand, &v)) return false;
      sum += v;
    }
    out->new_value.clear();
    PutFixed64(&out->new_value, sum);
    return true;
  }

  bool PartialMergeMulti(const rocksdb::Slice& /*key*/,
                         const std::deque<rocksdb::Slice>& operands,
                         std::string* new_value,
                         rocksdb::Logger* /*logger*/) const override {
    uint64_t sum = 0;
    for (const rocksdb::Slice& operand : operands) {
      uint64_t v;
      if (!Decode(operand, &v)) return false;
      sum += v;
    }
    new_value->clear();
    PutFixed64(new_value, sum);
    return true;
  }

  bool AllowSingleOperand() const override { return false; }
};

}  // namespace

std::shared_ptr<rocksdb::MergeOperator> NewCountMergeOperator() {
  return std::make_shared<CountMergeOperator>();
}

}  // namespace pretokdb
