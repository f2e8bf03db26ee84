// SPDX-License-Identifier: GPL-2.0
/*
 * unwind_leaks_cxx: a leak through operator new inside a class method
 * (app::Cache::put), for the stack tests: its frames must be demangled
 * and app::Cache::put must not vanish between operator new and main.
 */
#include <cstdio>
#include <string>
#include <vector>

namespace app {
class Cache {
public:
	__attribute__((noinline)) void put(const std::string &key, int value);
	std::vector<std::pair<std::string, int> *> items;
};

void Cache::put(const std::string &key, int value)
{
	items.push_back(new std::pair<std::string, int>(key, value));
}
}

int main()
{
	static app::Cache *cache = new app::Cache;	/* reachable: not a leak */

	cache->put("a key long enough not to fit in the small string buffer", 1);
	cache = nullptr;
	return 0;
}
