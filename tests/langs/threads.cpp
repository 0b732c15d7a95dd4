// threads.cpp — C++ on mvm: exceptions (thrown across frames and
// rethrown), iostreams, std::thread, std::mutex, std::condition_variable,
// std::async. Every value printed is computed by hand in threads.expect.
#include <condition_variable>
#include <future>
#include <iostream>
#include <mutex>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

static int depth(int n)
{
    if (n == 0)
        throw std::runtime_error("bottom reached");
    return depth(n - 1) + 1;
}

int main()
{
    try {
        depth(50);
    } catch (const std::exception &e) {
        std::cout << "caught: " << e.what() << "\n";
    }
    try {
        try {
            throw std::string("inner");
        } catch (std::string &s) {
            s += " rethrown";
            throw;
        }
    } catch (const std::string &s) {
        std::cout << "caught: " << s << "\n";
    }

    // r[i] = i * sum_{k<10^6} k = i * 499999500000
    std::vector<std::thread> ts;
    std::vector<long> r(4);
    for (int i = 0; i < 4; i++)
        ts.emplace_back([&r, i] {
            long s = 0;
            for (long k = 0; k < 1000000; k++)
                s += k * i;
            r[i] = s;
        });
    for (auto &t : ts)
        t.join();
    for (long v : r)
        std::cout << v << " ";
    std::cout << "\n";

    // A producer and a consumer handing 1..1000 over a condition variable.
    std::mutex m;
    std::condition_variable cv;
    int slot = 0;
    bool full = false, done = false;
    long sum = 0;
    std::thread consumer([&] {
        for (;;) {
            std::unique_lock<std::mutex> l(m);
            cv.wait(l, [&] { return full || done; });
            if (full) {
                sum += slot;
                full = false;
                cv.notify_all();
            } else if (done) {
                return;
            }
        }
    });
    for (int i = 1; i <= 1000; i++) {
        std::unique_lock<std::mutex> l(m);
        cv.wait(l, [&] { return !full; });
        slot = i;
        full = true;
        cv.notify_all();
    }
    {
        std::unique_lock<std::mutex> l(m);
        cv.wait(l, [&] { return !full; });
        done = true;
        cv.notify_all();
    }
    consumer.join();
    std::cout << "handed over " << sum << "\n";   // 500500

    auto f = std::async(std::launch::async, [] { return 6 * 7; });
    std::cout << "async " << f.get() << std::endl;
    return 0;
}
