package main

import (
	"context"
	"os"
	"sort"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
)

func TestZZPerf(t *testing.T) {
	if os.Getenv("ZZPERF") == "" {
		t.Skip()
	}
	m := MustStartMain(t, Config{})
	c := MustDynamo(t, m)
	ctx := context.Background()
	MustTable(t, c, "perf", "N")
	for _, conc := range []int{1, 16} {
		for _, op := range []string{"put", "get", "add", "query"} {
			var mu sync.Mutex
			var lat []time.Duration
			deadline := time.Now().Add(2 * time.Second)
			var wg sync.WaitGroup
			start := time.Now()
			for w := range conc {
				wg.Add(1)
				go func() {
					defer wg.Done()
					var mine []time.Duration
					for i := 0; time.Now().Before(deadline); i++ {
						t0 := time.Now()
						var err error
						switch op {
						case "put":
							_, err = c.PutItem(ctx, &dynamodb.PutItemInput{TableName: aws.String("perf"), Item: item{"pk": s("p" + strconv.Itoa(w)), "sk": n(strconv.Itoa(i % 100)), "v": s("x")}})
						case "get":
							_, err = c.GetItem(ctx, &dynamodb.GetItemInput{TableName: aws.String("perf"), Key: item{"pk": s("p" + strconv.Itoa(w)), "sk": n(strconv.Itoa(i % 100))}})
						case "add":
							_, err = c.UpdateItem(ctx, &dynamodb.UpdateItemInput{TableName: aws.String("perf"), Key: item{"pk": s("c"), "sk": n(strconv.Itoa(w))}, UpdateExpression: aws.String("ADD v :o"), ExpressionAttributeValues: item{":o": n("1")}})
						case "query":
							_, err = c.Query(ctx, &dynamodb.QueryInput{TableName: aws.String("perf"), KeyConditionExpression: aws.String("pk = :p"), ExpressionAttributeValues: item{":p": s("p0")}})
						}
						if err != nil {
							t.Error(err)
							return
						}
						mine = append(mine, time.Since(t0))
					}
					mu.Lock()
					lat = append(lat, mine...)
					mu.Unlock()
				}()
			}
			wg.Wait()
			el := time.Since(start)
			sort.Slice(lat, func(i, j int) bool { return lat[i] < lat[j] })
			t.Logf("%s c%d: %.0f/s p50 %v p99 %v", op, conc, float64(len(lat))/el.Seconds(), lat[len(lat)/2], lat[len(lat)*99/100])
		}
	}
}
