import * as echarts from 'echarts';
const c = echarts.init(null, null, { renderer: 'svg', ssr: true, width: 400, height: 200 });
c.setOption({ animation: false, xAxis: { type: 'time' }, yAxis: {}, series: [{ type: 'line', name:'a', data: [[0,1],[60000,3],[120000,2]], color: '#E69F00', areaStyle: {} , markLine: {data:[{yAxis:2}]}}] });
console.log(c.renderToSVGString().match(/zr\d+-[A-Za-z0-9-]+/g)?.join(' '));
