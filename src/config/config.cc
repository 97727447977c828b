#include "config/config.h"

namespace edgefront::config {

const Origin* Distribution::find_origin(std::string_view id) const {
  for (const Origin& o : origins) {
    if (o.id == id) return &o;
  }
  return nullptr;
}

const OriginGroup* Distribution::find_group(std::string_view id) const {
  for (const OriginGroup& g : origin_groups) {
    if (g.id == id) return &g;
  }
  return nullptr;
}

}  // namespace edgefront::config
