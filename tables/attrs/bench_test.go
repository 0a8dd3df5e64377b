package attrs_test

import (
	"encoding/json"
	"testing"

	"github.com/eddyserverless/eddy/tables/attrs"
)

// benchItem is a realistic stored item: ten attributes of the common kinds,
// among them a map, a list and a string set.
const benchItem = `{"pk":{"S":"customer#48213"},"sk":{"S":"order#2024-06-01T10:15:00Z#0007"},` +
	`"status":{"S":"SHIPPED"},"total":{"N":"1249.95"},"quantity":{"N":"3"},` +
	`"created":{"N":"1717236900"},"gift":{"BOOL":false},` +
	`"address":{"M":{"street":{"S":"12 Rue des Lilas"},"city":{"S":"Lyon"},"zip":{"S":"69003"},"floor":{"N":"4"}}},` +
	`"lines":{"L":[{"M":{"sku":{"S":"A-100"},"qty":{"N":"2"}}},{"M":{"sku":{"S":"B-7"},"qty":{"N":"1"}}}]},` +
	`"tags":{"SS":["express","fragile","priority"]}}`

func BenchmarkDecodeItem(b *testing.B) {
	data := []byte(benchItem)
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		var it attrs.Item
		if err := it.UnmarshalJSON(data); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkDecodeItemViaEncodingJSON(b *testing.B) {
	data := []byte(benchItem)
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		var it attrs.Item
		if err := json.Unmarshal(data, &it); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkEncodeItem(b *testing.B) {
	var it attrs.Item
	if err := json.Unmarshal([]byte(benchItem), &it); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := json.Marshal(it); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkEncodeValue(b *testing.B) {
	var it attrs.Item
	if err := json.Unmarshal([]byte(benchItem), &it); err != nil {
		b.Fatal(err)
	}
	v := attrs.Map(it)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := v.MarshalJSON(); err != nil {
			b.Fatal(err)
		}
	}
}
