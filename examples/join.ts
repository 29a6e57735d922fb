/**
 * Join two CSV files: total order amount per customer country.
 *
 *   kuberdd run examples/join.ts [orders.csv] [customers.csv]
 *
 * orders.csv:    order_id,customer_id,amount
 * customers.csv: customer_id,name,country
 */
import type { SparkContext } from '../src/index.js';

export default async function main(sc: SparkContext, args: string[]): Promise<[string, number][]> {
  const ordersPath = args[0] ?? new URL('./data/orders.csv', import.meta.url).pathname;
  const customersPath = args[1] ?? new URL('./data/customers.csv', import.meta.url).pathname;

  const notHeader = (line: string): boolean => line.length > 0 && !line.startsWith('order_id') && !line.startsWith('customer_id');
  const orders = sc
    .textFile(ordersPath)
    .filter(notHeader, { notHeader })
    .map((line) => {
      const [, customer, amount] = line.split(',');
      return [customer!, Number(amount)] as [string, number];
    });
  const countries = sc
    .textFile(customersPath)
    .filter(notHeader, { notHeader })
    .map((line) => {
      const [customer, , country] = line.split(',');
      return [customer!, country!] as [string, string];
    });

  const totals = await orders
    .join(countries)
    .map(([, [amount, country]]) => [country, amount] as [string, number])
    .reduceByKey((a, b) => a + b)
    .sortByKey()
    .collect();
  for (const [country, total] of totals) console.log(`${country}\t${total.toFixed(2)}`);
  return totals;
}
