import './try-tmp.js';
