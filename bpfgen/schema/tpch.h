// TPC-H schemas in the compact DDL (bpfgen/schema/schema.h).
#pragma once

#include <string_view>

namespace pushdown::bpfgen {

// The 16 lineitem columns; primary key (l_orderkey, l_linenumber).
inline constexpr std::string_view kLineitemDdl =
    "l_orderkey INT64 KEY, l_linenumber INT32 KEY, l_partkey INT64 NOT NULL, "
    "l_suppkey INT64 NOT NULL, l_quantity DECIMAL(15,2) NOT NULL, "
    "l_extendedprice DECIMAL(15,2) NOT NULL, l_discount DECIMAL(15,2) NOT NULL, "
    "l_tax DECIMAL(15,2) NOT NULL, l_returnflag CHAR(1) NOT NULL, "
    "l_linestatus CHAR(1) NOT NULL, l_shipdate DATE NOT NULL, l_commitdate DATE NOT NULL, "
    "l_receiptdate DATE NOT NULL, l_shipinstruct CHAR(25) NOT NULL, "
    "l_shipmode CHAR(10) NOT NULL, l_comment VARCHAR(44) NOT NULL";

}  // namespace pushdown::bpfgen
